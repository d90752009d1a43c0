#!/usr/bin/env python3
"""Profile the image kernel: callgrind instruction counts (Ir) and top functions, perf samples.

    python3 bench/profile.py                          mixed corpus, first 50 files, 128x128
    python3 bench/profile.py --corpus raw             2048x2048 uncompressed, 8 rows/strip, 256x256
    python3 bench/profile.py --corpus deflate         2048x2048 Deflate, 8 rows/strip, 256x256
    python3 bench/profile.py --build /path/to/other/.build/release     another build's kernel
    python3 bench/profile.py --whole                  also `convert --workers 1` under callgrind
    python3 bench/profile.py --perf                   also `perf record -e cpu-clock` on the driver

Decodes a fixed set of files with the kernel driver (bench/profile/kernel_driver.cpp, linked
against BUILD/CImageKernel.build/*.o: the kernel without the process pool) under
`valgrind --tool=callgrind`, counting only inside `tsk_decode`, and prints the total Ir, Ir per
image and the top functions (self and inclusive). Ir does not depend on the machine's load:
compare two builds with `--build`. Writes bench/results/profile-<corpus>.md.

Needs valgrind (apt-get install valgrind) and g++; perf is optional (apt-get install
linux-perf). See bench/requirements-profile.txt.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

from benchkit import corpus, profiling, tiffshard  # noqa: E402

CORPORA = {"mixed": (1000, 50, 128), "raw": (300, 20, 256), "deflate": (300, 20, 256)}  # size, files, side


def choose_files(name: str, count: int | None) -> tuple[str, list[str]]:
    """(description, the first `count` files) of a corpus name or a directory."""
    if name in CORPORA:
        size, default_count, _ = CORPORA[name]
        src = corpus.ensure(size) if name == "mixed" else corpus.ensure_strips(name, size)
        title = (f"mixed corpus ({corpus.label(size)})" if name == "mixed"
                 else corpus.strip_corpus_name(name, size, 2048, 8))
    else:
        src, default_count, title = name, 50, name
    files = corpus.files(src)[: count or default_count]
    if not files:
        sys.exit(f"profile.py: no img-*.tif files in {src}")
    return f"{title}, first {len(files)} files", files


def table(rows: list[tuple[int, float, str]], top: int, count: int) -> list[str]:
    lines = ["| Ir | % | Ir per image | function [library] |", "| ---: | ---: | ---: | --- |"]
    for ir, percent, name in rows[:top]:
        lines.append(f"| {ir:,} | {percent:.2f} | {ir / count:,.0f} | `{name}` |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="mixed", help="mixed, raw, deflate, or a directory of img-*.tif")
    parser.add_argument("--count", type=int, help="files (default 50 mixed, 20 raw/deflate)")
    parser.add_argument("--build", help="a tiffshard build directory (default REPO/.build/release, built if missing)")
    parser.add_argument("--width", type=int)
    parser.add_argument("--height", type=int)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--whole", action="store_true", help="also profile `tiffshard convert --workers 1`")
    parser.add_argument("--perf", action="store_true", help="also sample the driver with perf record")
    parser.add_argument("--perf-repeat", type=int, default=20, help="passes over the files under perf (default 20)")
    parser.add_argument("--report", help="markdown output (default bench/results/profile-<corpus>.md)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("profile.py: valgrind is missing: apt-get install valgrind")

    if args.build:
        build = os.path.abspath(args.build)
        binary = os.path.join(build, "tiffshard")
    else:
        binary = tiffshard.resolve_binary(None, REPO, True)
        build = os.path.dirname(binary)
    side = CORPORA.get(args.corpus, (0, 0, 128))[2]
    width, height = args.width or side, args.height or side
    title, files = choose_files(args.corpus, args.count)
    count = len(files)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    driver = profiling.build_driver(build)
    log(f"profile.py: callgrind on {count} files with {os.path.relpath(driver)}")
    work = tempfile.mkdtemp(prefix="profile-", dir=os.path.join(BENCH, "results"))
    started = time.monotonic()
    kernel = profiling.callgrind_kernel(driver, files, width, height, os.path.join(work, "callgrind.kernel"))
    lines = ["# tiffshard kernel profile", "",
             f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
             f"- build: `{build}` (commit {tiffshard_commit(build)}); files: {title}; output {width}x{height} "
             f"uint8 gray, linear",
             f"- driver: `{' '.join(kernel['command'][:5])} {os.path.relpath(driver)} --width {width} --height "
             f"{height} FILE...` ({kernel['summary']})", "",
             "## callgrind, kernel only (inside `tsk_decode`)", "",
             f"**Total Ir: {kernel['total_ir']:,} for {count} images = {kernel['total_ir'] / count:,.0f} Ir per image.**",
             "", "Top functions by self cost:", "", *table(kernel["self"], args.top, count), "",
             "Top functions by inclusive cost:", "", *table(kernel["inclusive"], args.top, count), "",
             "libtiff's internal functions show as addresses: Debian ships its symbols separately "
             "(libtiff6-dbgsym in the debian-debug archive). Ir counts user-space instructions only: "
             "the kernel's side of a pread (copying the bytes, `_copy_to_iter` in perf) is not in it, so "
             "for uncompressed sources compare the syscall counts of `run.py strips` too.", ""]
    if args.whole:
        with tempfile.TemporaryDirectory(dir=work) as src:
            for path in files:
                os.link(path, os.path.join(src, os.path.basename(path)))
            log("profile.py: callgrind on `tiffshard convert --workers 1` (children traced)")
            whole = profiling.callgrind_whole(binary, src, os.path.join(work, "whole"), width, height)
        lines += ["## callgrind, whole program (`convert --workers 1`, children traced, start-up included)", "",
                  "| process | Ir | Ir per image |", "| --- | ---: | ---: |"]
        for p in whole["processes"]:
            lines.append(f"| {p['role']} | {p['total_ir']:,} | {p['total_ir'] / count:,.0f} |")
        for p in whole["processes"]:
            lines += ["", f"`{p['role']}` process, top functions by self cost:", "", *table(p["self"], args.top, count)]
        lines.append("")
    if args.perf:
        if not profiling.perf_available():
            lines += ["## perf", "", "perf is not available here (`perf stat -e task-clock true` failed).", ""]
        else:
            log(f"profile.py: perf record on {args.perf_repeat} passes")
            perf = profiling.perf_kernel(driver, files, width, height, args.perf_repeat, os.path.join(work, "perf.data"))
            counters = ("hardware counters work" if perf["hardware_counters"] else
                        "no hardware counters here (`perf stat -e instructions` says <not supported>: a VM without "
                        "a PMU), so this is `-e cpu-clock` sampling and the instruction count comes from callgrind")
            lines += [f"## perf record -e cpu-clock, driver, {args.perf_repeat} passes ({perf['samples']} samples)", "",
                      f"{counters}.", "", "| % samples | object | symbol |", "| ---: | --- | --- |"]
            lines += [f"| {p:.2f} | {dso} | `{sym}` |" for p, dso, sym in perf["rows"][: args.top]] + [""]
    shutil.rmtree(work, ignore_errors=True)
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    name = args.corpus if args.corpus in CORPORA else "dir"
    path = args.report or os.path.join(BENCH, "results", f"profile-{name}.md")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    log(f"profile.py: {time.monotonic() - started:.0f} s; report written to {os.path.relpath(path)}")


def tiffshard_commit(build: str) -> str:
    from benchkit.report import _git_commit
    return _git_commit(os.path.dirname(os.path.dirname(build)))


if __name__ == "__main__":
    main()
