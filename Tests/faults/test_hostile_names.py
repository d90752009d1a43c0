"""Issue 4, item 8: hostile names and file types in daemon mode.

Each entry lands in the ingest directory the way a user would put it there (written in place,
renamed in, `ln -s`, `mkfifo`, `mkdir`) and must get its documented outcome: a row under its exact
name, a failures.jsonl record with its reason (and the entry moved to failed-dir), or nothing
(ignored, left alone). No worker dies, the daemon never blocks, and a good file dropped afterwards
is still ingested.
"""

from __future__ import annotations

import os

from faultkit import (Daemon, DaemonOptions, assert_exactly_once, check_shards, eventually, listing, reasons,
                     run_standalone, tiff_bytes, write_file)

LONG = "L" * 251 + ".tif"  # 255 bytes, the longest name ext4 and tmpfs allow
GOOD_NAMES = ["new\nline.tif", "with  spaces .tif", " leading space.tif", "ünïcødé-日本語.tif", LONG,
              "quote\"back\\slash'.tif", "tab\there.TIF", "UPPER.TIFF", "-dash.tif"]
NOT_TIFF = "not a TIFF: not a TIFF (no TIFF signature)"


def _setup_entries(d: Daemon, outside: str) -> dict[str, str]:
    """Creates the hostile entries; returns name -> how it was created."""
    how: dict[str, str] = {}
    for i, name in enumerate(GOOD_NAMES):
        d.drop(name, tiff_bytes(i))
        how[name] = "renamed in"
    good = tiff_bytes(50)
    write_file(os.path.join(d.ingest, "in place ü.tif"), good)
    how["in place ü.tif"] = "written in place"
    write_file(os.path.join(d.ingest, "text.tif"), b"hello, I am not an image\n")
    write_file(os.path.join(d.ingest, "zero.tif"), b"")
    write_file(os.path.join(d.ingest, "truncated.tif"), tiff_bytes(51)[:300])
    write_file(os.path.join(d.ingest, "header-only.tif"), tiff_bytes(52)[:8])
    write_file(os.path.join(d.ingest, "png.tif"), b"\x89PNG\r\n\x1a\n" + bytes(100))
    for name in ("text.tif", "zero.tif", "truncated.tif", "header-only.tif", "png.tif"):
        how[name] = "written in place"
    # Names that are not candidates: left alone.
    for name in ("notes.txt", ".hidden.tif", "partial.tif.part", "x.tif.tmp", "image.tiff.partial"):
        write_file(os.path.join(d.ingest, name), good)
    # Types that are not regular files.
    os.mkdir(os.path.join(d.ingest, "dir-made-here.tif"))
    os.mkdir(os.path.join(d.staging, "dir-renamed-in.tif"))
    os.rename(os.path.join(d.staging, "dir-renamed-in.tif"), os.path.join(d.ingest, "dir-renamed-in.tif"))
    os.mkfifo(os.path.join(d.ingest, "fifo-made-here.tif"))
    os.mkfifo(os.path.join(d.staging, "fifo-renamed-in.tif"))
    os.rename(os.path.join(d.staging, "fifo-renamed-in.tif"), os.path.join(d.ingest, "fifo-renamed-in.tif"))
    target = os.path.join(outside, "target.tif")
    write_file(target, tiff_bytes(53))
    os.symlink(target, os.path.join(d.ingest, "link-made-here.tif"))
    os.symlink(target, os.path.join(d.staging, "link-renamed-in.tif"))
    os.rename(os.path.join(d.staging, "link-renamed-in.tif"), os.path.join(d.ingest, "link-renamed-in.tif"))
    os.symlink(os.path.join(outside, "missing.tif"), os.path.join(d.ingest, "link-dangling.tif"))
    os.symlink(outside, os.path.join(d.ingest, "link-to-dir.tif"))
    # A name that is not valid UTF-8.
    write_file(os.path.join(os.fsencode(d.ingest), b"bad-\xff-name.tif"), tiff_bytes(54))
    return how


def _check_common(ctx, d: Daemon, label: str, worker_exits: int = 0) -> None:
    exits = d.log().count("worker exited")
    assert exits == worker_exits, f"{exits} workers died, expected {worker_exits}"
    assert d.running() and len(d.worker_pids()) == d.pool_size
    d.drop("after.tif", tiff_bytes(99))
    eventually(lambda: any(r.source == "after.tif" for r in d.rows()), 10, "after.tif published")
    check_shards(d.output)
    ctx.verified(f"{label}: {worker_exits or 'no'} worker died, daemon alive with {d.pool_size} workers, "
                 "a good file dropped afterwards was published")


def test_hostile_names_and_types(ctx):
    outside = ctx.tmpdir("outside")
    with Daemon.in_scratch(ctx, "hostile", DaemonOptions.tiny(workers=2)) as d:
        d.start()
        _setup_entries(d, outside)
        ctx.injected(f"{len(GOOD_NAMES) + 1} valid TIFFs with hostile names (newline, spaces, quotes, tab, "
                     "non-ASCII, 255 bytes, upper case, leading dash); text, zero-byte, truncated, header-only and "
                     "PNG files named .tif; non-candidate names; directories, FIFOs and symlinks (made in place "
                     "and renamed in); a name that is not UTF-8")
        good = GOOD_NAMES + ["in place ü.tif", os.fsdecode(b"bad-\xff-name.tif")]
        expected_failures = {
            "text.tif": NOT_TIFF, "png.tif": NOT_TIFF, "zero.tif": "not a TIFF: empty file",
            "fifo-made-here.tif": "not a regular file: FIFO", "fifo-renamed-in.tif": "not a regular file: FIFO",
            "link-made-here.tif": "symlink: not followed (set follow-symlinks: true to allow)",
            "link-renamed-in.tif": "symlink: not followed (set follow-symlinks: true to allow)",
            "link-dangling.tif": "symlink: not followed (set follow-symlinks: true to allow)",
            "link-to-dir.tif": "symlink: not followed (set follow-symlinks: true to allow)",
        }
        d.wait_accounted(len(good), len(expected_failures) + 2, timeout=20)
        rows = d.rows()
        assert_exactly_once(rows, good)
        why = reasons(d.failures())
        for name, reason in expected_failures.items():
            assert why.get(name) == reason, f"{name}: {why.get(name)!r}, expected {reason!r}"
        assert why["truncated.tif"].startswith("decode failed: "), why["truncated.tif"]
        assert why["header-only.tif"].split(":")[0] in {"decode failed", "not a TIFF"}, why["header-only.tif"]
        # A name that is not UTF-8 is ingested like any other: one row, its source written losslessly.
        assert not [f for f in d.failures() if f["source"].startswith("bad-")], d.failures()
        assert [os.fsencode(r.source) for r in rows if r.source.startswith("bad-")] == [b"bad-\xff-name.tif"]
        for name in ("dir-made-here.tif", "dir-renamed-in.tif"):
            assert why[name] == "not a regular file: directory", why[name]
        ctx.verified(f"{len(good)} hostile but valid names: exactly one row each under their exact names "
                     "(JSON-escaped in the manifest), moved to processed-dir under the same names")
        ctx.verified("rejected with their reasons and moved to failed-dir: " + "; ".join(
                     f"{n!r}: {why[n]}" for n in sorted(why) if not n.startswith("bad-")))
        ctx.verified("'bad-\\xff-name.tif' (not UTF-8): one row, manifest source 'bad-\\udcff-name.tif' "
                     "(surrogateescape), moved to processed-dir under its exact bytes")
        assert sorted(listing(d.processed)) == sorted(good), listing(d.processed)
        assert b"bad-\xff-name.tif" in os.listdir(os.fsencode(d.processed))
        failed = set(listing(d.failed))
        assert failed == set(expected_failures) | {"truncated.tif", "header-only.tif", "dir-made-here.tif",
                                                    "dir-renamed-in.tif"}, failed
        assert os.path.islink(os.path.join(d.failed, "link-made-here.tif"))
        assert os.path.isfile(os.path.join(outside, "target.tif")), "a symlink's target was touched"
        left = sorted(n for n in os.listdir(os.fsencode(d.ingest)))
        assert left == sorted([b".hidden.tif", b"image.tiff.partial", b"notes.txt",
                               b"partial.tif.part", b"x.tif.tmp"]), left
        ctx.verified("ignored and left alone: notes.txt, .hidden.tif, partial.tif.part, x.tif.tmp, "
                     "image.tiff.partial; symlink targets untouched")
        # The 255-byte name again: processed-dir already holds one, the second gets a numbered name.
        d.drop(LONG, tiff_bytes(77))
        eventually(lambda: sum(1 for r in d.rows() if r.source == LONG) == 2, 10, "the second long name published")
        eventually(lambda: LONG not in listing(d.ingest), 10,
                   lambda: f"{LONG[:8]}... disposed of (log: {d.log()[-300:]})")
        ctx.verified(f"a second {len(LONG)}-byte name: 2 rows, processed-dir holds "
                     f"{[n[:4] + '...' + n[-8:] for n in listing(d.processed) if n.startswith('LLLL')]}")
        _check_common(ctx, d, "follow-symlinks false")
        assert d.stop() == 0


def test_symlinks_followed_and_fifo_swapped_in(ctx):
    """`--follow-symlinks true`: links to TIFFs (made in place and renamed in) are ingested under the
    link's name and the link, not the target, is disposed of; dangling links and links to a
    directory or a FIFO are rejected with their reasons. A FIFO put in place of an admitted file
    before its decode does not block the worker."""
    outside = ctx.tmpdir("outside")
    options = DaemonOptions.tiny(workers=1, decode_timeout=2, extra=["--follow-symlinks", "true"])
    with Daemon.in_scratch(ctx, "symlinks", options, env={"TIFFSHARD_FAULT_INJECT": "hang:HOLD"}) as d:
        d.start()
        target = os.path.join(outside, "target.tif")
        data = tiff_bytes(5, width=24, height=18)
        write_file(target, data)
        os.mkfifo(os.path.join(outside, "pipe"))
        os.symlink(target, os.path.join(d.ingest, "link-made-here.tif"))
        os.symlink(target, os.path.join(d.staging, "link-renamed-in.tif"))
        os.rename(os.path.join(d.staging, "link-renamed-in.tif"), os.path.join(d.ingest, "link-renamed-in.tif"))
        os.symlink(os.path.join(outside, "missing.tif"), os.path.join(d.ingest, "link-dangling.tif"))
        os.symlink(outside, os.path.join(d.ingest, "link-to-dir.tif"))
        os.symlink(os.path.join(outside, "pipe"), os.path.join(d.ingest, "link-to-fifo.tif"))
        ctx.injected("follow-symlinks true: links to a TIFF outside (made in place, renamed in), a dangling "
                     "link, a link to a directory, a link to a FIFO")
        d.wait_accounted(2, 3)
        rows = d.rows()
        assert_exactly_once(rows, ["link-made-here.tif", "link-renamed-in.tif"])
        assert {r.record["bytes"] for r in rows} == {len(data)} and {(r.record["width"], r.record["height"]) for r in rows} == {(24, 18)}
        why = reasons(d.failures())
        assert why == {"link-dangling.tif": "symlink: dangling (target does not exist)",
                       "link-to-dir.tif": "not a regular file: symlink to directory",
                       "link-to-fifo.tif": "not a regular file: symlink to FIFO"}, why
        eventually(lambda: sorted(listing(d.processed)) == ["link-made-here.tif", "link-renamed-in.tif"], 10,
                   lambda: f"links moved to processed-dir (has {listing(d.processed)})")
        assert all(os.path.islink(os.path.join(d.processed, n)) for n in listing(d.processed))
        assert open(target, "rb").read() == data, "the target was modified"
        ctx.verified(f"2 links ingested under their own names (the target's {len(data)} B, 24 x 18), the links "
                     "moved to processed-dir, the target untouched; " + "; ".join(f"{n}: {r}" for n, r in why.items()))

        # A FIFO replaces a file that was admitted while the only worker is busy.
        d.drop("HOLD.tif", data)
        eventually(d.paused_worker, 10, "the worker stuck on HOLD.tif")
        d.drop("swapped.tif", data)
        eventually(lambda: " 2 queued" in d.status(), 5, lambda: f"2 queued (STATUS: {d.status()})")
        os.unlink(os.path.join(d.ingest, "swapped.tif"))
        os.mkfifo(os.path.join(d.staging, "swapped.tif"))
        os.rename(os.path.join(d.staging, "swapped.tif"), os.path.join(d.ingest, "swapped.tif"))
        ctx.injected("swapped.tif admitted as a regular file, then replaced by a FIFO before its decode")
        d.wait_failures(6)
        why = reasons(d.failures())
        assert why["HOLD.tif"] == "decode timed out after 2 s", why
        swapped = [f["reason"] for f in d.failures() if f["source"] == "swapped.tif"]
        assert swapped == ["not a regular file: FIFO", "unreadable: cannot open: No such file or directory"], swapped
        assert listing(d.failed).count("swapped.tif") == 1 and os.path.exists(os.path.join(d.failed, "swapped.tif"))
        ctx.verified(f"swapped.tif: two entries, two records: the FIFO {swapped[0]!r} (quarantined on its own event, "
                     f"never opened), the admitted file that vanished {swapped[1]!r}; no worker blocked, only "
                     "HOLD.tif's was killed")
        _check_common(ctx, d, "follow-symlinks true", worker_exits=1)
        assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
