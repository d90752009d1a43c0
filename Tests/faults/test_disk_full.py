"""Issue 4, item 5: the output filesystem is full.

The output directory is a 2 MiB tmpfs filled to the last block before the daemon starts. Files
keep arriving: nothing may be published, nothing disposed of, nothing lost; STATUS and the log say
why; the ring fills and dispatch pauses. When the filler is deleted, ingestion resumes by itself.
Needs root (mount); prints SKIP otherwise.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess

from faultkit import Daemon, DaemonOptions, Skip, assert_exactly_once, check_shards, eventually, listing, run_standalone


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _publication_failures(d: Daemon) -> int:
    return sum(1 for line in d.log().splitlines() if "publication failed, will retry" in line)


def _fill(directory: str) -> str:
    """Writes a filler file until the filesystem has no free block left; returns its path."""
    path = os.path.join(directory, "filler")
    with open(path, "wb", buffering=0) as f:
        chunk = bytes(64 * 1024)
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = bytes(max(1, len(chunk) // 2))
    return path


def test_disk_full_pauses_and_resumes_without_losing_anything(ctx):
    """Full output: dispatch pauses, nothing disposed of or lost, STATUS/log say why, resumes alone;
    then the output turns read-only and back: the same."""
    with Daemon.in_scratch(ctx, "diskfull", DaemonOptions.tiny(workers=2, shard_size=16, width=32, height=32)) as d:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", d.output],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            raise Skip(f"cannot mount a tmpfs on the output directory (needs root): {mounted.stderr.strip()}")
        try:
            _run(ctx, d)
        finally:
            d.cleanup()
            subprocess.run(["umount", "-l", d.output], check=False)


def _run(ctx, d: Daemon) -> None:
    filler = _fill(d.output)
    stat = os.statvfs(d.output)
    ctx.injected(f"output is a 2 MiB tmpfs, filled by a {os.path.getsize(filler)} B file "
                 f"({stat.f_bavail} blocks free)")
    d.start()
    names = d.drop_many([f"f{i:03}.tif" for i in range(120)])
    ctx.injected("120 TIFFs dropped; shards of 16 rows, ring of 3 shards (48 rows)")
    status = eventually(lambda: (lambda s: s if "cannot publish" in s and "ring full (backpressure)" in s else None)(
        d.status()), 30, lambda: f"STATUS with 'cannot publish' and 'ring full', last: {d.status()}")
    ctx.verified(f"STATUS: {status}")
    assert "No space left on device" in status or "ENOSPC" in status or "space" in status.lower(), status
    log = d.log()
    failure_lines = [l for l in log.splitlines() if "publication failed, will retry" in l]
    assert failure_lines, log
    ctx.verified(f"log: {failure_lines[0][:160]}")
    # Dispatch pauses: the ring is full, so the idle workers get nothing and burn no CPU. The proof that
    # the daemon had its chance to dispatch: its next publication attempt (retried with backoff, 1 s,
    # 2 s, 4 s...), logged after the CPU sample, is also the second failed attempt to wait for before
    # giving space back.
    workers = d.worker_pids()
    before = _cpu_ticks(workers)
    attempts_before = _publication_failures(d)
    failures_so_far = eventually(lambda: (lambda n: n if n > attempts_before else None)(_publication_failures(d)),
                                 15, "a retried publication")
    assert _cpu_ticks(workers) == before, "workers kept working with a full ring"
    queued = int(re.search(r"(\d+) queued", d.status()).group(1))
    assert queued >= 120 - 48, d.status()
    assert listing(d.processed) == [], "a source was disposed of while nothing could be published"
    assert len(listing(d.ingest)) == 120, f"{120 - len(listing(d.ingest))} sources left the ingest directory"
    assert not [n for n in os.listdir(d.output) if n.endswith(".npy")], os.listdir(d.output)
    assert d.failures() == [], d.failures()
    assert failures_so_far >= 2
    assert listing(d.processed) == [] and len(listing(d.ingest)) == 120
    ctx.verified(f"while full: 0 shards, 0 sources disposed, 120 still in ingest/, {queued} queued or held, "
                 f"workers idle (no CPU until the next attempt), {failures_so_far} failed publication attempts logged so far")

    os.unlink(d.output / "filler")
    ctx.injected("filler deleted (space returns)")
    d.wait_rows(120, timeout=60)
    eventually(lambda: len(listing(d.processed)) == 120, 10, "all sources moved to processed-dir")
    rows = d.rows()
    assert_exactly_once(rows, names)
    shards = check_shards(d.output)
    assert listing(d.ingest) == [] and d.failures() == []
    eventually(lambda: "cannot publish" not in d.status() and "ring full" not in d.status(), 5,
               lambda: f"STATUS clear of the error, last: {d.status()}")
    attempts = sum(1 for l in d.log().splitlines() if "publication failed, will retry" in l)
    ctx.verified(f"after space returned: 120 files in exactly one row of {shards} shards, "
                 f"120 sources in processed-dir, 0 rejected, STATUS '{d.status()}' "
                 f"({attempts} failed attempts in all, retried with backoff)")

    # Output unwritable: the filesystem turns read-only under the running daemon.
    subprocess.run(["mount", "-o", "remount,ro", d.output], check=True)
    more = d.drop_many([f"ro{i:02}.tif" for i in range(20)], seed=200)
    ctx.injected("output remounted read-only; 20 more files dropped")
    status = eventually(lambda: (lambda s: s if "cannot publish" in s else None)(d.status()), 15,
                        lambda: f"STATUS with 'cannot publish' (last: {d.status()})")
    assert "Read-only file system" in status, status
    assert not set(listing(d.processed)) & set(more) and set(more) <= set(listing(d.ingest))
    ctx.verified(f"STATUS: ...{status[status.index(';'):]}; none of the 20 disposed of")
    subprocess.run(["mount", "-o", "remount,rw", d.output], check=True)
    ctx.injected("output remounted read-write")
    d.wait_rows(140, timeout=30)
    assert_exactly_once(d.rows(), names + more)
    check_shards(d.output)
    eventually(lambda: len(listing(d.processed)) == 140 and "cannot publish" not in d.status(), 10,
               lambda: f"140 disposed of and STATUS clear (last: {d.status()})")
    ctx.verified("after read-write again: 140 files in exactly one row, all disposed of, STATUS clear")
    ctx.record("disk_full_files", 140)
    assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
