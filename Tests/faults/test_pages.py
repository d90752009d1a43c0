"""Issue 8: `pages: all` under SIGKILL. The supervisor is killed the moment a shard is renamed in, which, with
shards of 3 rows and files of 2 to 9 pages, is nearly always between two shards of one file, then restarted.

Each file's every page is one flat gray value naming the file and the page (written by tifffile), so a row
says which page it holds. Checked after every kill: a reader sees complete shards only, no (source, page) in
two rows, and a file with only some pages published is still in the ingest directory (move mode: a source is
disposed of only once every page is durable). After every restart: start-up recovery resumes such files
(its log says so). At the end, after a clean run and SIGTERM: every page of every file is in exactly one
row, a file's pages in page order, each row holding its page's pixels; the sources are all in the processed
directory (move) or all still in the ingest directory (keep), and in keep mode one more restart publishes
nothing (the ledger counts a file as published only with all its pages).
"""

from __future__ import annotations

import collections
import os
import re
import subprocess

import numpy as np

import faultkit as fk

WIDTH, HEIGHT, SHARD = 40, 32, 3
_RESUMED_LOG = re.compile(r"(\d+) sources were cut off between shards by a stop; resuming them")


def _value(index: int, page: int) -> int:
    return 1 + (index * 11 + page * 3) % 250


def _write_corpus(layout: fk.Layout, count: int, rnd) -> dict[str, int]:
    """`count` multi-page TIFFs in the staging directory; returns name -> pages."""
    import tifffile
    pages: dict[str, int] = {}
    for i in range(count):
        name = f"stack-{i:03d}.tif"
        k = rnd.randint(2, 9)
        # Pages large enough that decoding a file takes a while, so kills find files half published.
        with tifffile.TiffWriter(layout.staging / name) as t:
            for p in range(k):
                t.write(np.full((300 + i, 400 + p), _value(i, p), np.uint8), photometric="minisblack", contiguous=False)
        pages[name] = k
    return pages


def _published(store: fk.Store) -> dict[str, list[int]]:
    """Pages published per source, in shard then row order."""
    seen: dict[str, list[int]] = collections.defaultdict(list)
    for row in store.rows:
        seen[row.source].append(row.record.get("page", 0))
    return seen


def _check_store(store: fk.Store, what: str) -> dict[str, list[int]]:
    fk.check(not [p for p in store.problems if "has no .npy" not in p], f"{what}: a reader sees {store.problems}")
    seen = _published(store)
    twice = {s: p for s, p in seen.items() if len(p) != len(set(p))}
    fk.check(not twice, f"{what}: pages in two rows: {twice}")
    return seen


def _require_pages_option(binary: str) -> None:
    """The `pages` option comes with the output options; without it there is nothing to test."""
    help_text = subprocess.run([binary, "run", "--help"], capture_output=True, text=True).stdout
    fk.check("--pages" in help_text, "the binary has a --pages option")


def pages_under_kills(ctx: fk.Context, mode: str, files: int, kills: int) -> dict:
    _require_pages_option(ctx.binary)
    layout = fk.Layout.create(ctx.tmpdir(f"pages-{mode}"))
    pages = _write_corpus(layout, files, ctx.random)
    pending = sorted(pages)
    options = fk.DaemonOptions(width=WIDTH, height=HEIGHT, shard_size=SHARD, idle_flush=0.2, on_success=mode,
                               workers=2, extra=["--pages", "all"])
    ctx.injected(f"{kills} SIGKILLs of the supervisor right after a shard is renamed in (on-success {mode}, "
                 f"pages: all, shards of {SHARD}), {files} TIFFs of 2 to 9 pages ({sum(pages.values())} pages)")
    cut_off = 0          # kills after which a file had some pages published, not all
    resumed = 0          # resumptions of cut-off files the restarts reported (a file may be resumed more than once)
    for k in range(kills):
        daemon = fk.Daemon(ctx.binary, layout, options, sock_dir=str(layout.root))
        try:
            daemon.start(wait_pool=False)
            for m in _RESUMED_LOG.findall(daemon.log_text()):
                resumed += int(m)
            with fk.DirWatch(fk.IN_MOVED_TO, layout.output) as watch:
                for name in pending[:2]:
                    os.rename(layout.staging / name, layout.ingest / name)
                pending = pending[2:]
                watch.wait(lambda d, m, n: n.endswith(".npy"), timeout=5.0)
            daemon.kill()
            orphans = daemon.orphans_after(2.0)
            fk.check(not orphans, f"kill {k}: workers {orphans} outlived the supervisor by 2 s")
        finally:
            daemon.cleanup()
        seen = _check_store(fk.read_store(layout.output, WIDTH, HEIGHT), f"kill {k}")
        partial = sorted(s for s, p in seen.items() if len(p) < pages[s])
        cut_off += bool(partial)
        if mode == "move":
            gone = [s for s in partial if not (layout.ingest / s).exists()]
            fk.check(not gone, f"kill {k}: {gone} left the ingest directory with pages unpublished ({seen})")
        ctx.debug(f"kill {k:2d}: {len(fk.read_store(layout.output).rows)} rows, cut off: {partial}")
    fk.check(cut_off > 0, "no kill landed between two shards of one file")
    ctx.verified(f"{kills} kills, {cut_off} of them with a file cut off between shards; after each, complete "
                 f"shards only, no page in two rows" + (", cut-off files still in the ingest directory" if mode == "move" else ""))

    for name in pending:
        os.rename(layout.staging / name, layout.ingest / name)
    daemon = fk.Daemon(ctx.binary, layout, options, sock_dir=str(layout.root))
    total = sum(pages.values())
    try:
        daemon.start()
        for m in _RESUMED_LOG.findall(daemon.log_text()):
            resumed += int(m)

        def done() -> bool:
            rows = len(fk.read_store(layout.output, WIDTH, HEIGHT).rows)
            return rows >= total and (mode == "keep" or not fk.unsettled(layout))
        fk.eventually(done, 120, f"all {total} pages published", interval=0.1)
        fk.check(daemon.stop() == 0, "clean stop failed")
    finally:
        daemon.cleanup()
    fk.check(resumed > 0, "no restart resumed a file cut off between shards")
    store = fk.read_store(layout.output, WIDTH, HEIGHT)
    seen = _check_store(store, "at the end")
    wrong = {s: p for s, n in pages.items() if (p := seen.get(s, [])) != list(range(n))}
    fk.check(not wrong, f"pages published not 0..K-1 once each in order: {wrong}")
    index = {name: i for i, name in enumerate(sorted(pages))}
    for row in store.rows:
        got = fk.load_row(layout.output, row)
        want = _value(index[row.source], row.record["page"])
        fk.check(bool((got == want).all()), f"{row.shard} row {row.row} ({row.source} page {row.record['page']}): "
                                            f"pixels {got.min()}..{got.max()}, expected {want}")
        fk.check(row.record.get("pages") == pages[row.source], f"{row.source}: pages {row.record.get('pages')}")
    where = layout.processed if mode == "move" else layout.ingest
    fk.check(sorted(os.listdir(where)) == sorted(pages), f"sources not all in {where}: {sorted(os.listdir(where))}")
    if mode == "move":
        fk.check(not fk.unsettled(layout), f"left in ingest: {fk.unsettled(layout)}")
    ctx.verified(f"all {total} pages of {files} files in exactly one row each, in page order, with their pixels; "
                 f"{resumed} resumptions of cut-off files by start-up recovery; sources "
                 + ("all moved to processed" if mode == "move" else "all kept in ingest"))

    if mode == "keep":
        # The ledger: every file is published whole, so another start reads nothing again.
        daemon = fk.Daemon(ctx.binary, layout, options, sock_dir=str(layout.root))
        try:
            daemon.start()
            daemon.wait_status_ticks(3)
            fk.check(daemon.stop() == 0, "clean stop failed")
        finally:
            daemon.cleanup()
        again = len(fk.read_store(layout.output, WIDTH, HEIGHT).rows)
        fk.check(again == total, f"a restart over kept files published {again - total} rows again")
        ctx.verified("a restart over the kept files published nothing again")
    return {"kills": kills, "cut_off": cut_off, "resumed": resumed, "pages": total}


def test_sigkill_between_shards_of_a_file_move(ctx: fk.Context) -> None:
    numbers = pages_under_kills(ctx, "move", files=16 if ctx.quick else 30, kills=8 if ctx.quick else 15)
    for key, value in numbers.items():
        ctx.record(f"pages.move.{key}", value)


def test_sigkill_between_shards_of_a_file_keep(ctx: fk.Context) -> None:
    numbers = pages_under_kills(ctx, "keep", files=16 if ctx.quick else 30, kills=8 if ctx.quick else 15)
    for key, value in numbers.items():
        ctx.record(f"pages.keep.{key}", value)


if __name__ == "__main__":
    fk.run_standalone(globals())
