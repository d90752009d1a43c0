"""Issue 4, item 7: races between the daemon and whoever writes into the ingest directory.

Outcomes checked here (and documented in the README's "Guarantees"):

- deleted after its event, before its decode: one failures.jsonl record
  `unreadable: cannot open: No such file or directory`, no row, nothing crashes;
- renamed away for good before its decode: the same record; the file itself is not touched;
- renamed away and back before its decode: one row, no record;
- replaced (renamed over) before its decode: one row, holding the new content (manifest `bytes`
  are the new file's);
- the same name written again after the first version was decoded, before or after its shard was
  published: two rows, one per version (the first version's manifest identity is what was read;
  the source is moved to processed-dir once, after the second version is published, or both
  versions are moved, the second as `name.1.tif`);
- rewritten while being decoded (in place, or renamed over): one row, the new content; the old
  content no longer exists anywhere, nothing is quarantined;
- SIGHUP reloads (worker count, shard size, geometry, an invalid file) during a heavy ingest:
  every file in exactly one row;
- SIGTERM while a shard is being written: exit 0, the partial shard is published, files not yet
  read stay in the ingest directory and are ingested by the next start, nothing twice.
"""

from __future__ import annotations

import os
import re
import signal

import numpy as np

import faultkit as fk
from faultkit import (Daemon, DaemonOptions, assert_exactly_once, check_shards, eventually, listing, reasons,
                     run_standalone, tiff_bytes, without_barriers, write_config, write_file)

ENOENT_REASON = "unreadable: cannot open: No such file or directory"


def _queued(d: Daemon) -> int:
    match = re.search(r"(\d+) queued", d.status())
    return int(match.group(1)) if match else -1


def test_races_between_event_and_decode(ctx):
    """One worker held busy by a decode that never ends (`hang:` + `--decode-timeout 2`) while the
    files queued behind it are deleted, renamed away, renamed away and back, replaced, and while a
    file already decoded (row in memory, shard not yet published) is rewritten."""
    with Daemon.in_scratch(ctx, "races", DaemonOptions.tiny(workers=1, decode_timeout=2),
                           env={"TIFFSHARD_FAULT_INJECT": "hang:HOLD"}) as d:
        d.start()
        v1, v2 = tiff_bytes(1), tiff_bytes(2, width=20, height=10)
        assert len(v1) != len(v2)

        # The same name twice, the second after the first was published.
        # The same name twice, the second written the moment the first is moved to processed-dir (its
        # shard is durable, but the supervisor may not have heard back from the publisher yet).
        d.drop("again.tif", v1)
        eventually(lambda: os.path.exists(os.path.join(d.processed, "again.tif")), 10, "again.tif moved",
                   interval=0.0002)
        write_file(os.path.join(d.ingest, "again.tif"), v2)
        ctx.injected("again.tif published and moved to processed-dir; a new again.tif written in place at once")
        d.wait_rows(2)

        # Hold the only worker: twice.tif is decoded first, then HOLD.tif never returns.
        d.drop("twice.tif", v1)
        d.drop("HOLD.tif", v1)
        eventually(d.paused_worker, 10, "the worker stuck on HOLD.tif")
        victims = ["deleted.tif", "away.tif", "away-back.tif", "replaced.tif"]
        for name in victims:
            d.drop(name, v1)
        eventually(lambda: _queued(d) == 1 + len(victims), 5,
                   lambda: f"{1 + len(victims)} queued in STATUS (last: {d.status()})")
        os.unlink(os.path.join(d.ingest, "deleted.tif"))
        os.rename(os.path.join(d.ingest, "away.tif"), os.path.join(d.staging, "away.tif"))
        os.rename(os.path.join(d.ingest, "away-back.tif"), os.path.join(d.staging, "away-back.tif"))
        os.rename(os.path.join(d.staging, "away-back.tif"), os.path.join(d.ingest, "away-back.tif"))
        d.drop("replaced.tif", v2)  # renamed over the queued one
        write_file(os.path.join(d.ingest, "twice.tif"), v2)  # decoded, its shard not yet published
        ctx.injected("with the only worker stuck and 4 files queued behind it: deleted.tif unlinked, "
                     "away.tif renamed out, away-back.tif renamed out and back, replaced.tif renamed over "
                     "with new content; twice.tif (already decoded, shard unpublished) rewritten in place")

        d.drop("good.tif", v1)
        d.wait_accounted(7, 3, timeout=30)
        rows = d.rows()
        by_name: dict[str, list[int]] = {}
        for r in rows:
            by_name.setdefault(r.source, []).append(r.record["bytes"])
        why = reasons(d.failures())
        assert why == {"HOLD.tif": "decode timed out after 2 s", "deleted.tif": ENOENT_REASON,
                       "away.tif": ENOENT_REASON}, why
        assert sorted(by_name["again.tif"]) == sorted([len(v1), len(v2)]), by_name
        assert sorted(by_name["twice.tif"]) == sorted([len(v1), len(v2)]), by_name
        assert by_name["replaced.tif"] == [len(v2)], by_name
        assert by_name["away-back.tif"] == [len(v1)], by_name
        assert by_name["good.tif"] == [len(v1)], by_name
        assert set(by_name) == {"again.tif", "twice.tif", "replaced.tif", "away-back.tif", "good.tif"}, by_name
        eventually(lambda: listing(d.ingest) == [], 10, lambda: f"ingest/ empty (has {listing(d.ingest)})")
        processed = listing(d.processed)
        assert processed == sorted(["again.tif", "again.1.tif", "twice.tif", "replaced.tif", "away-back.tif",
                                    "good.tif"]), processed
        assert os.path.getsize(os.path.join(d.processed, "twice.tif")) == len(v2)
        assert listing(d.staging) == ["away.tif"] and listing(d.failed) == ["HOLD.tif"]
        check_shards(d.output)
        assert d.running() and len(d.worker_pids()) == 1
        ctx.verified("again.tif (written again right after the first was published and moved): 2 rows (v1, v2); "
                     "processed-dir has again.tif and again.1.tif")
        ctx.verified("twice.tif (rewritten after decode, before publication): 2 rows (v1 as read, then v2); "
                     "the source was not disposed of with v1's shard, v2 was ingested and then moved")
        ctx.verified(f"deleted.tif and away.tif: no row, failures.jsonl '{ENOENT_REASON}'; away.tif "
                     "untouched where it was moved")
        ctx.verified(f"away-back.tif: 1 row; replaced.tif: 1 row with the new content ({len(v2)} bytes); "
                     f"no crash, worker pool 1, {len(rows)} rows, no duplicates")
        assert d.stop() == 0


def _slow_tiff() -> bytes:
    """A 4000 x 4000 deflate TIFF of noise (16 MB) in one strip: a decode long enough to be caught with the
    file open. (One strip: the kernel skips strips holding no row the resize reads, so with small strips a
    strong downscale would decode 2 of 250 strips and be over before anyone could look.)"""
    pixels = np.random.default_rng(7).integers(0, 256, (4000, 4000), dtype=np.uint8)
    return fk.tiff_gray8(pixels, fk.COMPRESSION_DEFLATE, rows_per_strip=4000, level=1)


def test_rewritten_while_being_decoded(ctx):
    """The worker is frozen (SIGSTOP) while it has the file open mid-decode; the file is rewritten
    in place (truncate + write) or replaced by a rename; SIGCONT. Exactly one row, the new content."""
    slow = _slow_tiff()
    new = tiff_bytes(3)
    with Daemon.in_scratch(ctx, "midwrite", DaemonOptions.tiny(workers=1)) as d:
        d.start()
        for name, how in (("inplace.tif", "rewritten in place"), ("renamed.tif", "renamed over")):
            path = os.path.join(d.ingest, name)
            d.drop(name, slow)
            worker = eventually(lambda: d.worker_reading(path), 10, f"the worker reading {name}", interval=0.0005)
            os.kill(worker, signal.SIGSTOP)
            try:
                if how == "rewritten in place":
                    with open(path, "r+b") as f:
                        f.truncate(0)
                        f.write(new)
                else:
                    d.drop(name, new)
            finally:
                os.kill(worker, signal.SIGCONT)
            ctx.injected(f"{name}: worker {worker} frozen mid-decode of the 16 MB version, file {how} "
                         f"with a {len(new)} B TIFF, worker resumed")
        d.wait_rows(2)
        d.barrier()  # nothing else may follow: a file dropped after them is published and disposed of
        rows = without_barriers(d.rows())
        expected = [("inplace.tif", len(new)), ("renamed.tif", len(new))]
        assert sorted((r.source, r.record["bytes"]) for r in rows) == expected, rows
        assert d.failures() == [], d.failures()
        assert without_barriers(listing(d.processed)) == ["inplace.tif", "renamed.tif"] and listing(d.ingest) == []
        assert d.log().count("changed: modified while being read") == 2, d.log()
        check_shards(d.output)
        ctx.verified("both: detected as 'changed: modified while being read', looked at again, exactly one row "
                     f"each with the new content ({len(new)} B), nothing quarantined, sources moved")
        assert d.stop() == 0


def test_reloads_during_a_heavy_ingest(ctx):
    """Six bursts of files, a SIGHUP after each with a new configuration (worker count, shard size,
    geometry, batch size, then an invalid file): every file in exactly one row."""
    base = {"width": 8, "height": 8, "workers": 2, "shard-size": 100, "idle-flush": 0.3}
    changes = [{"workers": 1}, {"shard-size": 50}, {"width": 16, "height": 12}, {"workers": 2, "batch-size": 4},
               {"width": "abc"}]
    burst = 200 if ctx.quick else 1000
    with Daemon.in_scratch(ctx, "reload", config=base) as d:
        d.start()
        names: list[str] = []
        config = dict(base)
        for round_, change in enumerate([{}] + changes):
            names += d.drop_many([f"r{round_}-{i:04}.tif" for i in range(burst)], seed=round_ * 7)
            if not change:
                continue
            config.update(change)
            write_config(d.layout.config, config)
            d.reload()  # SIGHUP, then READY=1
            if change == {"width": "abc"}:
                config["width"] = 16
        ctx.injected(f"{len(names)} files in 6 bursts, SIGHUP after each of the last 5: "
                     + ", ".join(str(c) for c in changes))
        d.wait_rows(len(names), timeout=60)
        d.barrier()  # no duplicate may follow: a file dropped after them is published and disposed of
        rows = without_barriers(d.rows())
        assert_exactly_once(rows, names)
        shards = check_shards(d.output)
        shapes: dict[tuple, int] = {}
        for name in sorted(os.listdir(d.output)):
            if name.endswith(".npy"):
                shape = np.load(os.path.join(d.output, name), mmap_mode="r").shape
                shapes[shape[1:]] = shapes.get(shape[1:], 0) + 1
        assert set(shapes) == {(8, 8), (12, 16)}, shapes
        assert d.failures() == [] and listing(d.ingest) == []
        statuses = d.notify.statuses()
        assert any("reload failed" in s for s in statuses), "the invalid reload is not in STATUS"
        notices = d.log().count("configuration reloaded")
        assert notices == 4, f"{notices} successful reloads logged"
        ctx.verified(f"{len(names)} files in exactly one row each across {shards} shards "
                     f"(H x W: {', '.join(f'{h}x{w}: {n}' for (h, w), n in shapes.items())}), 4 reloads applied, "
                     "the invalid one refused (STATUS 'reload failed'), 0 lost, 0 duplicated")
        ctx.record("reload_files", len(names))
        assert d.stop() == 0


def _tmp_shards(output: str) -> list[str]:
    return [n for n in os.listdir(output) if n.startswith(".") and n.endswith(".npy.tmp")]


def _stage_and_release(d: Daemon, names: list[str], seed: int) -> None:
    for i, name in enumerate(names):
        write_file(os.path.join(d.staging, name), tiff_bytes(seed + i))
    for name in names:
        os.rename(os.path.join(d.staging, name), os.path.join(d.ingest, name))


def _shard_sizes(rows: list[dict]) -> list[int]:
    return [sum(1 for r in rows if r.shard == s) for s in sorted({r.shard for r in rows})]


def test_sigterm_during_a_flush(ctx):
    """SIGTERM the moment a shard's temporary file appears. (1) 94 files, shards of 64, no idle
    flush: the full shard being written and the 30-row partial one are both published, exit 0.
    (2) 600 more files: exit 0, every shard complete, files not yet read stay in ingest/ untouched,
    and a restart ingests them: every file in exactly one row."""
    with Daemon.in_scratch(ctx, "termflush", DaemonOptions.tiny(
            workers=2, shard_size=64, width=256, height=256, idle_flush=60, max_shard_age=60)) as d:
        d.start()
        first = [f"a{i:03}.tif" for i in range(94)]
        _stage_and_release(d, first, 0)
        caught = eventually(lambda: _tmp_shards(d.output), 30, "shard 0 being written", interval=0.0005)
        d.signal(signal.SIGTERM)
        ctx.injected(f"94 files, shards of 64 x 256 x 256 (4 MiB); SIGTERM while {caught[0]} was being written")
        assert d.proc.wait(timeout=30) == 0, f"exit status {d.proc.returncode}"
        assert d.notify.count("STOPPING", "1") > 0
        rows = d.rows()
        assert _shard_sizes(rows) == [64, 30], _shard_sizes(rows)
        assert_exactly_once(rows, first)
        check_shards(d.output)
        assert listing(d.ingest) == [] and len(listing(d.processed)) == 94
        ctx.verified("exit 0 after STOPPING=1; the shard being written (64 rows) and the partial shard (30 rows) "
                     "published, all 94 sources disposed of, no temp file left")

        count = 600
        more = [f"t{i:04}.tif" for i in range(count)]
        d.start()
        _stage_and_release(d, more, 100)
        caught = eventually(lambda: _tmp_shards(d.output), 30, "a shard being written", interval=0.0005)
        d.signal(signal.SIGTERM)
        ctx.injected(f"{count} more files; SIGTERM while {caught[0]} was being written")
        assert d.proc.wait(timeout=30) == 0, f"exit status {d.proc.returncode}"
        rows = [r for r in d.rows() if r.source.startswith("t")]
        sizes = _shard_sizes(rows)
        assert all(n == 64 for n in sizes[:-1]), sizes
        published = {r.source for r in rows}
        left = set(listing(d.ingest))
        assert not (published & left), f"published and still in ingest: {sorted(published & left)[:5]}"
        assert published | left == set(more), f"lost: {sorted(set(more) - published - left)[:5]}"
        assert set(listing(d.processed)) == published | set(first) and d.failures() == []
        check_shards(d.output)
        assert not [n for n in os.listdir(d.output) if n.endswith(".tmp")]
        ctx.verified(f"exit 0; {len(rows)} rows in shards of {sizes}; {len(left)} files not yet read still in "
                     "ingest/, none both published and left, none lost")
        d.options.idle_flush = 0.3
        d.start()
        d.wait_rows(94 + count, timeout=60)
        assert_exactly_once(d.rows(), first + more)
        check_shards(d.output)
        assert listing(d.ingest) == [] and len(listing(d.processed)) == 94 + count
        ctx.verified(f"after a restart: all {94 + count} files in exactly one row each, 0 lost, 0 duplicated")
        assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
