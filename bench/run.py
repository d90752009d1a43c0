#!/usr/bin/env python3
"""tiffshard benchmarks, in one command.

    python3 bench/run.py [options]                    everything: convert benchmark, then the
                                                      daemon benchmarks if `tiffshard run` exists
    python3 bench/run.py convert [options]            baseline vs `tiffshard convert` only
    python3 bench/run.py latency [options]            trickled files: rename -> shard published
    python3 bench/run.py daemon-throughput [options]  pre-filled ingest: `run` vs `convert` (--cold)
    python3 bench/run.py cold [options]               cold vs warm page cache, and the disk's read rate
    python3 bench/run.py strips [options]             2048x2048 strip corpora: tiffshard vs the bare loop
    python3 bench/run.py startup [options]            `run` with an empty ingest: spawn -> READY=1
    python3 bench/run.py compare --tiffshard-before B  two tiffshard builds, alternated, mixed corpora

Builds tiffshard (release) if it is missing, generates the corpora if missing,
prints a markdown report and writes it to bench/results/latest.md (or
bench/results/<command>.md for a single command). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
COMMANDS = ("all", "convert", "latency", "daemon-throughput", "cold", "strips", "startup", "compare")


def check_dependencies() -> None:
    missing = []
    for module, package in (("numpy", "numpy"), ("cv2", "opencv-python-headless"),
                            ("tifffile", "tifffile"), ("imagecodecs", "imagecodecs")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        sys.exit(f"run.py: missing Python packages: {', '.join(missing)}\n"
                 f"install them with: pip install -r {os.path.relpath(os.path.join(BENCH, 'requirements.txt'))}")
    if not os.path.exists("/proc/self/smaps_rollup"):
        sys.exit("run.py: /proc/self/smaps_rollup is missing (Linux >= 4.14 needed to measure PSS)")


def parse(argv: list[str]) -> tuple[str, argparse.Namespace]:
    command = "all"
    if argv and argv[0] in COMMANDS:
        command, argv = argv[0], argv[1:]
    parser = argparse.ArgumentParser(
        usage="run.py [all|convert|latency|daemon-throughput|cold|strips|startup|compare] [options]",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--tiffshard", metavar="PATH", help="tiffshard binary (default: REPO/.build/release/tiffshard, built if missing)")
    add("--no-build", action="store_true", help="never run swift build")
    add("--tiffshard-before", metavar="PATH",
        help="a second tiffshard build, run alternately with --tiffshard in convert, cold, strips (required by compare)")
    add("--baseline-only", action="store_true", help="convert benchmark without tiffshard (to test the harness)")
    add("--sizes", help="corpus sizes for the convert benchmark (default 1000,8000; --quick 300)")
    add("--rounds", type=int, help="rounds per size, tools alternating order (default 3; --quick 1)")
    add("--workers", type=int, default=2, help="worker processes of every tool (default 2)")
    add("--width", type=int, default=128)
    add("--height", type=int, default=128)
    add("--no-cv1", action="store_true", help="skip the baseline variant with cv2.setNumThreads(1)")
    add("--no-daemon", action="store_true", help="`all` without the daemon benchmarks")
    add("--quick", action="store_true", help="smoke test: 300 images, 1 round, 30 trickled files (explicit options win)")
    add("--sample-ms", type=float, default=20, help="memory sampling period (default 20 ms)")
    add("--seed", type=int, default=1, help="corpus seed (corpora are generated once, then reused)")
    add("--latency-count", type=int, help="files trickled by `latency` (default 100; --quick 30)")
    add("--interval-ms", default="50,100", help="min,max pause between trickled files (default 50,100)")
    add("--idle-flush", type=float, default=1, help="--idle-flush of the daemon (default 1 s)")
    add("--max-shard-age", type=float, default=1,
        help="--max-shard-age of the daemon in `latency` (default 1 s; 0 = daemon default)")
    add("--daemon-count", type=int, help="images of `daemon-throughput` (default 1000; --quick 300)")
    add("--shard-size", type=int, help="--shard-size of `daemon-throughput` (default 250; --quick 100)")
    add("--evict", choices=("drop-caches", "fadvise"), default="drop-caches",
        help="how cold runs empty the page cache (default drop-caches; fadvise evicts only the corpus)")
    add("--cold", action="store_true", help="daemon-throughput on a cold page cache (corpus evicted before each run)")
    add("--cold-size", type=int, help="mixed corpus of `cold` (default 1000; --quick 300)")
    add("--strip-layouts", default="raw,deflate", help="corpora of `strips` (raw, deflate, lzw; default raw,deflate)")
    add("--strip-count", type=int, help="images per strip corpus (default 300; --quick 60)")
    add("--strip-side", type=int, default=2048, help="side of the strip corpora's images (default 2048)")
    add("--strip-rows", type=int, default=8, help="rows per strip (default 8)")
    add("--strip-size", default="256x256", help="output size of `strips` (default 256x256)")
    add("--no-baseline", action="store_true", help="`strips` without the Python baseline")
    add("--no-strace", action="store_true", help="`strips` without the strace -c run")
    add("--startup-rounds", type=int, help="spawns of `startup`, warm and cold each (default 10; --quick 3)")
    add("--report", metavar="FILE", help="markdown output (default bench/results/latest.md or <command>.md)")
    args = parser.parse_args(argv)
    if command == "compare" and not args.tiffshard_before:
        parser.error("compare needs --tiffshard-before PATH (and --tiffshard PATH for the other build)")
    defaults = {"sizes": ("1000,8000", "300"), "rounds": (3, 1), "latency_count": (100, 30),
                "daemon_count": (1000, 300), "shard_size": (250, 100), "cold_size": (1000, 300),
                "strip_count": (300, 60), "startup_rounds": (10, 3)}
    for name, (normal, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    return command, args


def main() -> None:
    command, args = parse(sys.argv[1:])
    check_dependencies()
    sys.path.insert(0, BENCH)
    from benchkit import (bare, cache, cold_bench, convert_bench, corpus, daemon_bench, report, report_modes,
                          strips_bench, tiffshard)
    from benchkit.measure import become_subreaper

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    become_subreaper()
    needs_binary = not (command in ("all", "convert") and args.baseline_only)
    binary = tiffshard.resolve_binary(args.tiffshard, REPO, not args.no_build) if needs_binary else None
    before = tiffshard.resolve_binary(args.tiffshard_before, REPO, False) if args.tiffshard_before else None
    tools = ["baseline"] + ([] if args.no_cv1 else ["baseline-cv1"]) + ([] if binary is None else ["tiffshard"])
    if before:
        tools = ["tiffshard-before", "tiffshard"] if command == "compare" else tools + ["tiffshard-before"]
    settings = convert_bench.Settings(binary=binary, binary_before=before, width=args.width, height=args.height,
                                      workers=args.workers, rounds=args.rounds, interval=args.sample_ms / 1000,
                                      tools=tuple(tools))
    started, self_before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    sections: list[str] = []

    if command in ("all", "convert", "compare"):
        sizes = [int(s) for s in args.sizes.split(",") if s]
        results = [convert_bench.bench_size(settings, size, log) for size in sizes]
        title = "## Before/after: two tiffshard builds, alternated" if command == "compare" else "## One-shot conversion"
        sections += [title, "", *report.convert_tables(results, settings), ""]

    if command == "cold":
        cold_settings = cold_bench.settings_for(settings)
        src = corpus.ensure(args.cold_size)
        result = cold_bench.bench(cold_settings, src, corpus.label(args.cold_size), args.evict, log,
                                  name=f"mixed {corpus.label(args.cold_size)}")
        sections += ["## Cold page cache vs warm, and the disk's read rate", "", *report_modes.cold_tables(result)]

    if command == "strips":
        width, height = (int(v) for v in args.strip_size.lower().split("x"))
        strip_settings = strips_bench.settings_for(settings, width, height, not args.no_baseline)
        strip_settings.bare = bare.build()
        layouts = [layout for layout in args.strip_layouts.split(",") if layout]
        results = [strips_bench.bench_layout(strip_settings, layout, args.strip_count, args.strip_side, args.strip_rows,
                                             log, trace=not args.no_strace) for layout in layouts]
        sections += [f"## Strip corpora at {width}x{height}: tiffshard vs the bare full-decode loop", "",
                     *report_modes.strip_tables(results),
                     *report.convert_tables([s.result for s in results], strip_settings), ""]

    if command == "startup":
        runs = [daemon_bench.startup(settings, args.startup_rounds, None, log)]
        try:
            cache.drop_caches()
            runs.append(daemon_bench.startup(settings, args.startup_rounds, "drop-caches", log))
        except cache.EvictionFailed as error:
            log(f"startup: no cold runs: {error}")
        sections += ["## Start-up: `run` to READY=1", "", *report_modes.startup_table(runs)]

    daemon_ok = binary is not None and tiffshard.supports(binary, "run")
    if command == "all" and not args.no_daemon and binary is not None and not daemon_ok:
        sections += ["## Daemon", "", f"Skipped: `{binary} run --help` failed (no daemon yet).", ""]
    if command in ("latency", "daemon-throughput") and not daemon_ok:
        sys.exit(f"run.py: `{binary} run --help` failed: this tiffshard has no daemon yet")
    run_daemon = daemon_ok and (command in ("latency", "daemon-throughput") or not args.no_daemon)
    if run_daemon and command in ("all", "latency"):
        low, high = (float(v) for v in args.interval_ms.split(","))
        result = daemon_bench.latency(settings, args.latency_count, (low, high), args.idle_flush,
                                      args.max_shard_age or None, args.seed, args.daemon_count, log)
        sections += ["## Daemon latency (file renamed in -> its shard published)", "",
                     *report.latency_table(result)]
    if run_daemon and command in ("all", "daemon-throughput"):
        result = daemon_bench.throughput(settings, args.daemon_count, args.shard_size, args.idle_flush, log,
                                         evict=args.evict if args.cold else None)
        sections += [f"## Daemon throughput (pre-filled ingest directory vs convert){', cold cache' if args.cold else ''}", "",
                     *report.throughput_table(result), ""]

    self_after = resource.getrusage(resource.RUSAGE_SELF)
    elapsed = time.monotonic() - started
    own_cpu = (self_after.ru_utime - self_before.ru_utime) + (self_after.ru_stime - self_before.ru_stime)
    header = ["# tiffshard benchmark", "", *report.environment(settings),
              f"- harness: {own_cpu:.1f} s CPU over {elapsed:.0f} s, of which {corpus.WARM_CPU[0]:.1f} s "
              f"reading the corpus between runs; the rest (sampler, watchers, equality check) is "
              f"{100 * (own_cpu - corpus.WARM_CPU[0]) / elapsed:.1f} % of one core, "
              f"counted as background, never in a tool's CPU", ""]
    text = "\n".join(header + sections).rstrip() + "\n"
    print(text)
    path = args.report or os.path.join(BENCH, "results", "latest.md" if command == "all" else f"{command}.md")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    log(f"run.py: report written to {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
