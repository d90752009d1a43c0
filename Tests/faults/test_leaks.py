"""Issue 4, item 10: no leaks. After a long-ish ingest the supervisor's open descriptors and memory are
back at their start-up level; after a clean stop nothing is left behind (no /dev/shm entry, no temp
file in the output, no worker process).

The ingest goes through every path that opens or allocates something: shards published and sources
moved, files rejected by the workers (not a TIFF, truncated, zero bytes: failures.jsonl appended,
files moved to the failed dir), worker crashes (SIGSEGV and abort through TIFFSHARD_FAULT_INJECT:
worker respawned, file retried then quarantined) and a SIGHUP reload.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time

import faultkit as fk

WIDTH, HEIGHT, SHARD = 48, 40, 50
RSS_SLACK_KIB = 10 * 1024


def _fd_kinds(pid: int) -> list[str]:
    """Open descriptors by kind (socket/memfd/... without inode numbers), to show what leaked."""
    kinds = []
    for target in fk.fd_targets(pid):
        kinds.append(re.sub(r"\[\d+\]", "[]", target.split(" -> ", 1)[1]))
    return sorted(kinds)


def _hostile(layout: fk.Layout, wave: int) -> dict[str, str]:
    """Files the workers reject or crash on, written into staging; name -> expected reason fragment."""
    files = {
        f"notatiff-{wave}.tif": b"this is not a TIFF at all" * 20,
        f"empty-{wave}.tif": b"",
        f"truncated-{wave}.tif": fk.tiff_gray8(fk.make_image(wave, 64, 64))[:120],
        f"boom-{wave}.tif": fk.tiff_gray8(fk.make_image(wave + 1, 64, 64)),
        f"abort-{wave}.tif": fk.tiff_gray8(fk.make_image(wave + 2, 64, 64)),
    }
    for name, data in files.items():
        (layout.staging / name).write_bytes(data)
    return files


def _idle(daemon: fk.Daemon, layout: fk.Layout, published: int, hostile: int) -> None:
    """Waits until every released file is published or quarantined and the daemon reports nothing queued."""
    def settled() -> bool:
        if fk.unsettled(layout):
            return False
        store = fk.read_store(layout.output, WIDTH, HEIGHT)
        status = daemon.status()
        return (len(store.rows) >= published and len(fk.failures(layout.failed)) >= hostile
                and " 0 queued" in status)
    fk.eventually(settled, 120, f"{published} rows published, {hostile} rejected", interval=0.1)
    daemon.wait_status_ticks(1)  # the reactor has looped since: its bookkeeping for the last results is done


def test_fds_and_memory_return_to_startup_level(ctx: fk.Context) -> None:
    waves = 6 if ctx.quick else 12
    per_wave = 500 if ctx.quick else 1000
    layout = fk.Layout.create(ctx.tmpdir("leaks"))
    options = fk.DaemonOptions(width=WIDTH, height=HEIGHT, shard_size=SHARD, idle_flush=0.2, on_success="move",
                               workers=2, decode_timeout=10)
    env = {"TIFFSHARD_FAULT_INJECT": "crash:boom-;abort:abort-"}
    ctx.injected(f"{waves * per_wave} TIFFs in {waves} waves, plus per wave: a non-TIFF, an empty and a truncated "
                 f".tif, a file crashing its worker (SIGSEGV) and one aborting it; a SIGHUP reload mid-way")
    shm_before = fk.dev_shm_entries()
    corpora: list[fk.Corpus] = []
    with fk.Daemon(ctx.binary, layout, options, env=env) as daemon:
        daemon.start()
        fk.check(len(daemon.wait_workers(options.workers)) == options.workers, "workers did not start")
        daemon.wait_status_ticks(1)  # start-up done: the reactor is in its steady loop
        start_fds, start_kinds, start_rss = fk.fd_count(daemon.pid), _fd_kinds(daemon.pid), fk.rss_kib(daemon.pid)
        ctx.note(f"start-up: {start_fds} fds, RSS {start_rss / 1024:.1f} MiB")
        samples = []
        peak_fds = start_fds
        hostile = 0
        for wave in range(waves):
            corpus = fk.Corpus(layout, per_wave, prefix=f"w{wave:02d}", seed=ctx.seed + wave)
            corpora.append(corpus)
            bad = _hostile(layout, wave)
            for name in bad:
                os.rename(layout.staging / name, layout.ingest / name)
            hostile += len(bad)
            # Release in bursts while sampling the descriptor count (bounded while busy, too).
            while corpus.pending:
                corpus.release(100)
                peak_fds = max(peak_fds, fk.fd_count(daemon.pid))
                fk.stimulus(0.02)  # releases in bursts, sampling the fd count between them
            if wave == waves // 2:
                os.kill(daemon.pid, signal.SIGHUP)
            _idle(daemon, layout, sum(len(c.records) for c in corpora), hostile)
            samples.append((fk.fd_count(daemon.pid), fk.rss_kib(daemon.pid)))
        # A crashed worker is respawned after a back-off: compare once the pool is complete again.
        workers = daemon.wait_workers(options.workers, timeout=15)
        daemon.wait_status_ticks(1)  # the respawn's bookkeeping is done
        end_fds, end_kinds, end_rss = fk.fd_count(daemon.pid), _fd_kinds(daemon.pid), fk.rss_kib(daemon.pid)
        ctx.note("after each wave (fds, RSS MiB): " + ", ".join(f"({f}, {r / 1024:.1f})" for f, r in samples))
        fk.check(daemon.notify.count("READY", "1") >= 2, "no READY=1 after the SIGHUP reload")
        fk.check(len(workers) == options.workers, f"pool has {len(workers)} workers, expected {options.workers}")
        fk.check(end_fds == start_fds,
                 f"supervisor fds {start_fds} at start-up, {end_fds} after the ingest:\n"
                 f"  start: {start_kinds}\n  end:   {end_kinds}")
        fk.check(end_kinds == start_kinds, f"fd kinds changed:\n  start: {start_kinds}\n  end:   {end_kinds}")
        fk.check(end_rss <= start_rss + RSS_SLACK_KIB,
                 f"supervisor RSS grew from {start_rss} KiB to {end_rss} KiB (> {RSS_SLACK_KIB} KiB slack)")
        ctx.verified(f"after {waves * per_wave} images, {hostile} rejections and {2 * waves} worker crashes: supervisor "
                     f"fds {start_fds} -> {end_fds} (same kinds; peak while busy {peak_fds}), RSS "
                     f"{start_rss / 1024:.1f} -> {end_rss / 1024:.1f} MiB (slack 10 MiB), pool back to "
                     f"{len(workers)} workers")

        code = daemon.stop()
        fk.check(code == 0, f"clean stop exited {code}")
        orphans = daemon.orphans_after(2.0)
        fk.check(not orphans, f"worker processes left after a clean stop: {orphans}")

    leftovers = [n for n in os.listdir(layout.output) if n.startswith(".") or not re.fullmatch(r"shard-\d{8}\.(npy|jsonl)", n)]
    fk.check(not leftovers, f"files other than shards left in the output: {leftovers}")
    new_shm = sorted(fk.dev_shm_entries() - shm_before)
    ours = [n for n in new_shm if "tiffshard" in n.lower() or "shard" in n.lower()]
    fk.check(not ours, f"/dev/shm entries left: {ours}")
    if new_shm:
        ctx.note(f"/dev/shm entries created meanwhile by other processes (not ours): {new_shm}")
    records = {name: rec for c in corpora for name, rec in c.records.items()}
    store = fk.read_store(layout.output, WIDTH, HEIGHT)
    acc = fk.check_exactly_once(layout, records, "move", store)
    fk.check(not acc.problems, f"exactly-once violated: {acc.summary()}:\n  " + "\n  ".join(acc.problems[:10]))
    rejected = {f["source"]: f["reason"] for f in fk.failures(layout.failed)}
    fk.check(len(rejected) == hostile and all((layout.failed / n).exists() for n in rejected),
             f"expected {hostile} quarantined files, got {len(rejected)}: {sorted(rejected)[:10]}")
    crashed = [r for n, r in rejected.items() if n.startswith("boom-")]
    fk.check(all("signal 11" in r for r in crashed), f"crash reasons: {crashed}")
    ctx.verified(f"clean stop: exit 0, no worker left, no temp file in the output, no /dev/shm entry; "
                 f"{acc.summary()}; {hostile} hostile files quarantined with reasons")
    ctx.record("images", waves * per_wave)
    ctx.record("fds_start_end", f"{start_fds}/{end_fds}")
    ctx.record("rss_mib_start_end", f"{start_rss / 1024:.1f}/{end_rss / 1024:.1f}")


def test_no_leftovers_after_stop_during_ingest(ctx: fk.Context) -> None:
    """SIGTERM while a burst is being ingested: the partial shard is published, nothing stays behind."""
    layout = fk.Layout.create(ctx.tmpdir("stopleft"))
    options = fk.DaemonOptions(width=WIDTH, height=HEIGHT, shard_size=SHARD, idle_flush=5, on_success="move")
    files = 800 if ctx.quick else 3000
    corpus = fk.Corpus(layout, files)
    ctx.injected(f"SIGTERM while {files} files are being ingested (idle flush 5 s, so a partial shard is in memory)")
    shm_before = fk.dev_shm_entries()
    with fk.Daemon(ctx.binary, layout, options) as daemon:
        daemon.start()
        with fk.DirWatch(fk.IN_MOVED_TO, layout.output) as watch:
            corpus.release()
            watch.wait(lambda d, m, n: n.endswith(".npy"), timeout=10)
        code = daemon.stop()
        fk.check(code == 0, f"SIGTERM exit {code}")
        orphans = daemon.orphans_after(2.0)
        fk.check(not orphans, f"workers left after the stop: {orphans}")
    names = os.listdir(layout.output)
    fk.check(not [n for n in names if n.startswith(".")], f"hidden/temp files left: {names}")
    fk.check(not [n for n in sorted(fk.dev_shm_entries() - shm_before) if "shard" in n.lower()], "/dev/shm entries left")
    store = fk.read_store(layout.output, WIDTH, HEIGHT)
    fk.check(not store.problems, f"store problems: {store.problems}")
    published = {r.record["source"] for r in store.rows}
    waiting = set(fk.unsettled(layout))
    fk.check(published.isdisjoint(waiting), f"published sources still in ingest: {sorted(published & waiting)[:5]}")
    fk.check(published | waiting == set(corpus.records), "some files neither published nor waiting in ingest")
    fk.check(len(published) == len(store.rows), "a source published twice")
    sizes = [sum(1 for r in store.rows if r.shard == stem) for stem in store.shards]
    ctx.verified(f"stopped with {len(published)} published (shards of {sizes} rows) and "
                 f"{len(waiting)} still waiting in ingest, untouched; exit 0, no temp file, no worker, no /dev/shm entry")


def test_ring_rebuilds_release_the_old_ring(ctx: fk.Context) -> None:
    """SIGHUP with a new geometry rebuilds the shared-memory ring: the old segments' descriptors and
    mappings must go, in the supervisor and in the (restarted) workers."""
    layout = fk.Layout.create(ctx.tmpdir("ringleak"))
    config = layout.root / "tiffshard.yaml"
    geometries = [(48, 40), (40, 56), (64, 32)]
    reloads = 6 if ctx.quick else 15
    options = fk.DaemonOptions(width=None, height=None, shard_size=SHARD, idle_flush=0.2, on_success="move",
                               workers=2, extra=["--config", str(config)])
    config.write_text(f"width: {geometries[0][0]}\nheight: {geometries[0][1]}\n")
    ctx.injected(f"{reloads} SIGHUP reloads changing the output geometry (ring rebuilt each time), "
                 f"200 files ingested between them")
    corpora = []
    with fk.Daemon(ctx.binary, layout, options) as daemon:
        daemon.start()
        daemon.wait_workers(2)

        def ingest(index: int) -> None:
            corpus = fk.Corpus(layout, 200, prefix=f"g{index:02d}", seed=index)
            corpora.append(corpus)
            corpus.release()
            fk.eventually(lambda: not fk.unsettled(layout) and " 0 queued" in daemon.status(), 60,
                          "the files of this geometry published")
            daemon.wait_workers(2)
            daemon.wait_status_ticks(1)  # the reactor has looped since: the ring and worker bookkeeping is done

        ingest(0)
        start = (fk.fd_count(daemon.pid), fk.memfd_mappings(daemon.pid), fk.rss_kib(daemon.pid))
        ctx.note(f"after the first ingest: {start[0]} fds, {start[1]} ring mappings, RSS {start[2] / 1024:.1f} MiB")
        for r in range(1, reloads + 1):
            width, height = geometries[r % len(geometries)] if r < reloads else geometries[0]
            config.write_text(f"width: {width}\nheight: {height}\n")
            daemon.reload(timeout=30)
            ingest(r)
        end = (fk.fd_count(daemon.pid), fk.memfd_mappings(daemon.pid), fk.rss_kib(daemon.pid))
        workers = daemon.wait_workers(2)
        worker_maps = [fk.memfd_mappings(p) for p in workers]
        fk.check(end[0] == start[0], f"fds {start[0]} -> {end[0]}: {fk.fd_targets(daemon.pid)}")
        fk.check(end[1] == start[1], f"ring mappings {start[1]} -> {end[1]}")
        fk.check(end[2] <= start[2] + RSS_SLACK_KIB, f"RSS {start[2]} -> {end[2]} KiB")
        fk.check(all(m == start[1] for m in worker_maps), f"workers map {worker_maps} ring segments, expected {start[1]}")
        fk.check(daemon.stop() == 0, "clean stop failed")
    ctx.verified(f"after {reloads} ring rebuilds: supervisor fds {start[0]} -> {end[0]}, ring mappings {start[1]} -> "
                 f"{end[1]}, RSS {start[2] / 1024:.1f} -> {end[2] / 1024:.1f} MiB; workers map {worker_maps} segments")
    shapes = {}
    rows = {}
    for name in sorted(os.listdir(layout.output)):
        if name.endswith(".npy"):
            shape = fk.npy_header(layout.output / name)[0]
            shapes[shape[1:]] = shapes.get(shape[1:], 0) + shape[0]
            lines = (layout.output / (name[:-4] + ".jsonl")).read_text().splitlines()
            fk.check(len(lines) == shape[0], f"{name}: {len(lines)} manifest rows, {shape[0]} array rows")
            for line in lines:
                source = json.loads(line)["source"]
                rows[source] = rows.get(source, 0) + 1
    expected = {n for c in corpora for n in c.records}
    fk.check(set(rows) == expected and all(v == 1 for v in rows.values()),
             f"{len(expected)} files, {len(rows)} in shards, duplicates {[n for n, v in rows.items() if v > 1][:5]}")
    fk.check(set(shapes) == {(h, w) for w, h in geometries}, f"shard geometries {shapes}")
    ctx.verified(f"{len(expected)} files each in exactly one row; shards in every geometry (rows per HxW: {shapes})")
