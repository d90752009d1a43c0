"""Issue 4, item 4: memory bombs.

A header declaring 100000 x 100000 pixels is refused from the header alone; files within the pixel
limit that need far more memory than a worker may have (a valid 20000 x 20000 deflate image of
zeros in 160 kB, and one whose compressed data is garbage) meet the worker's address-space limit
(`--worker-memory-limit 256`) instead of the machine's memory.
"""

from __future__ import annotations

import os

from faultkit import (Daemon, DaemonOptions, assert_exactly_once, check_shards, eventually, listing, lying_tiff,
                     reasons, run_standalone)


def _limits(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/limits") as f:
        return {line[:26].strip(): line[26:].split()[0] for line in f.read().splitlines()[1:]}


def _vm_size(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def test_oversized_header_is_rejected_before_decoding(ctx):
    """100000 x 100000 declared (1e10 pixels > max-pixels 2^30): rejected as `too large` by the
    worker from the header, without the worker dying; the good files around it are published."""
    with Daemon.in_scratch(ctx, "bomb-header", DaemonOptions.tiny(workers=2)) as d:
        d.start()
        pool = d.worker_pids()
        good = d.drop_many([f"g{i:02}.tif" for i in range(10)])
        d.drop("huge.tif", lying_tiff(100000, 100000, compression=1, strip=bytes(64), rows_per_strip=100000))
        ctx.injected("huge.tif: an 800-byte TIFF whose header declares 100000 x 100000 8-bit pixels (10 GB)")
        d.wait_accounted(10, 1)
        why = reasons(d.failures())
        assert why == {"huge.tif": "too large: declares 100000x100000 pixels, limit is 1073741824"}, why
        assert listing(d.failed) == ["huge.tif"]
        assert d.worker_pids() == pool, "a worker died on an oversized header"
        assert "worker exited" not in d.log()
        assert_exactly_once(d.rows(), good)
        check_shards(d.output)
        ctx.verified(f"huge.tif quarantined: '{why['huge.tif']}'; no worker died (pool {pool} unchanged); "
                     f"10 good files in exactly one row")
        assert d.stop() == 0


def test_lying_sizes_meet_the_worker_memory_limit(ctx):
    """Within the pixel limit but beyond the worker's memory: 20000 x 20000 (400 M pixels, needs
    >= 400 MB to decode) as a valid deflate image of zeros and as garbage deflate data, with
    `--worker-memory-limit 256`: each is rejected or kills only its worker and is quarantined; the
    workers' peak RSS stays far below what the files ask for; the daemon keeps ingesting with a
    full pool, and good files still decode under the limit. An allocation failure is `out of memory`,
    quarantined only after it failed again on a later attempt (max-attempts), never `internal error`."""
    with Daemon.in_scratch(ctx, "bomb-memory", DaemonOptions.tiny(workers=2, worker_memory_limit=256)) as d:
        d.start()
        pool = d.worker_pids()
        limits = {}
        for pid in pool:  # set by the worker itself once it has mapped the ring and its libraries
            eventually(lambda: _limits(pid)["Max address space"] != "unlimited", 10, f"RLIMIT_AS on worker {pid}")
            limits[pid] = int(_limits(pid)["Max address space"])
            headroom = limits[pid] - _vm_size(pid)
            assert 200 << 20 < headroom <= 256 << 20, f"worker {pid}: {headroom >> 20} MiB of headroom"
        ctx.verified(f"workers {pool} run with RLIMIT_AS = what they map at start + 256 MiB "
                     f"({', '.join(f'{v >> 20} MiB' for v in limits.values())})")
        good = d.drop_many([f"g{i:02}.tif" for i in range(10)])
        d.drop("zeros-20000.tif", lying_tiff(20000, 20000))
        d.drop("garbage-20000.tif", lying_tiff(20000, 20000, strip=b"\x78\x9c not deflate at all" * 2))
        good += d.drop_many([f"h{i:02}.tif" for i in range(10)], seed=10)
        ctx.injected("zeros-20000.tif (valid deflate, 160 kB, decodes to 400 MB) and garbage-20000.tif "
                     "(declares 20000 x 20000, data is not deflate) with a 256 MiB worker limit")
        d.wait_accounted(20, 2)
        why = reasons(d.failures())
        assert set(why) == {"zeros-20000.tif", "garbage-20000.tif"}, why
        for name, reason in why.items():
            assert reason.split(":")[0] in {"out of memory", "decode failed", "too large"} \
                or reason.startswith("decoder crashed"), f"{name}: {reason}"
        categories = {f["source"]: f.get("category") for f in d.failures()}
        assert set(categories.values()) <= {"out-of-memory", "decode-failed", "too-large", "crashed"}, categories
        assert sorted(listing(d.failed)) == ["garbage-20000.tif", "zeros-20000.tif"]
        pool_after = d.wait_workers(2)
        peaks = {pid: _peak_rss_kib(pid) for pid in pool_after}
        assert all(kib < 400 * 1000 for kib in peaks.values()), peaks  # a 20000 x 20000 decode needs 400 MB
        assert_exactly_once(d.rows(), good)
        check_shards(d.output)
        more = d.drop_many([f"late{i}.tif" for i in range(5)], seed=40)
        d.wait_rows(25)
        assert_exactly_once(d.rows(), good + more)
        assert d.running()
        ctx.verified("outcomes: " + "; ".join(f"{n} -> '{r}'" for n, r in sorted(why.items())))
        ctx.verified(f"workers' peak RSS {', '.join(f'{k // 1024} MiB' for k in peaks.values())} "
                     f"(< 400 MB the bombs need), "
                     f"pool {pool_after}, 25 good files in exactly one row, daemon still ingesting")
        assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
