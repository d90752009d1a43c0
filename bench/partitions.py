#!/usr/bin/env python3
"""Does throughput scale with tasks? `convert --partition` as N independent tasks of 1 worker each against one
task with N workers, on the same corpus, side by side in the same run (rounds alternate), medians; and the
fixed cost of a task: start-up and exit of `convert` with nothing to do (empty SRC), a rerun of a partition
that is already done, and a partition's first shard.

    python3 bench/partitions.py [--tiffshard .build/release/tiffshard] [--images 2000] [--rounds 5] [--tasks 2]

Stand-alone (it generates its own corpus with tifffile into bench/corpus-partitions, git-ignored) so that it
does not depend on the other benchmarks' corpus code.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))


def make_corpus(folder, count, seed=1):
    """512-1024 px images like bench/run.py's mix: 8-bit gray raw/LZW/deflate, 16-bit gray, RGB, tiled."""
    stamp = os.path.join(folder, f".complete-{count}-{seed}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    rng = np.random.default_rng(seed)
    for i in range(count):
        h, w = int(rng.integers(512, 1025)), int(rng.integers(512, 1025))
        ramp = ((np.arange(w)[None, :] * 3 + np.arange(h)[:, None] * 2) % 256).astype(np.uint8)
        noise = rng.integers(0, 24, (h, w), dtype=np.uint8)
        gray = ramp + noise
        kind = i % 6
        path = os.path.join(folder, f"img-{i:06d}.tif")
        if kind == 0:
            tifffile.imwrite(path, gray)
        elif kind == 1:
            tifffile.imwrite(path, gray, compression="lzw")
        elif kind == 2:
            tifffile.imwrite(path, gray, compression="zlib")
        elif kind == 3:
            tifffile.imwrite(path, gray.astype(np.uint16) * 257)
        elif kind == 4:
            tifffile.imwrite(path, np.stack([gray, gray[::-1], 255 - gray], axis=-1), photometric="rgb")
        else:
            tifffile.imwrite(path, gray, tile=(256, 256))
    open(stamp, "w").close()


def timed(commands):
    """Starts every command at once; returns the wall time until the last one exits."""
    started = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands]
    for p, c in zip(procs, commands):
        err = p.communicate()[1]
        if p.returncode != 0:
            sys.exit(f"{' '.join(c)} exited {p.returncode}: {err.decode(errors='replace')}")
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiffshard", default=os.path.join(HERE, "..", ".build", "release", "tiffshard"))
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=2, help="N: tasks of 1 worker against 1 task of N workers")
    parser.add_argument("--size", default="128x128")
    args = parser.parse_args()
    binary = os.path.abspath(args.tiffshard)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} not found: swift build -c release --product tiffshard")
    width, height = args.size.split("x")
    corpus = os.path.join(HERE, "corpus-partitions")
    make_corpus(corpus, args.images)
    n = args.tasks
    common = ["--width", width, "--height", height, "--no-progress"]
    scratch = tempfile.mkdtemp(prefix="tiffshard-bench-partitions-")
    one, split, empty_run, noop, first = [], [], [], [], []
    try:
        empty = os.path.join(scratch, "empty")
        os.makedirs(empty)
        for r in range(args.rounds):
            # Alternate which goes first, so neither always runs on a warmer page cache.
            order = ["one", "split"] if r % 2 == 0 else ["split", "one"]
            for what in order:
                out = os.path.join(scratch, f"{what}-{r}")
                if what == "one":
                    one.append(timed([[binary, "convert", corpus, out, "--workers", str(n), *common]]))
                else:
                    split.append(timed([[binary, "convert", corpus, out, "--workers", "1", "--partition", f"{i}/{n}",
                                         *common] for i in range(n)]))
                    noop.append(timed([[binary, "convert", corpus, out, "--workers", "1", "--partition", f"0/{n}",
                                        *common]]))
                shutil.rmtree(out)
            empty_run.append(timed([[binary, "convert", empty, os.path.join(scratch, "e"), "--workers", "1", *common]]))
            shutil.rmtree(os.path.join(scratch, "e"))
        # The first shard of a partition: how long after start the first rows are durable.
        for r in range(args.rounds):
            out = os.path.join(scratch, f"first-{r}")
            started = time.monotonic()
            p = subprocess.Popen([binary, "convert", corpus, out, "--workers", "1", "--partition", f"0/{n}",
                                  "--shard-size", "64", *common], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            name = os.path.join(out, f"part-0000-of-{n:04d}.shard-00000000.npy")
            while not os.path.exists(name):
                time.sleep(0.001)
            first.append(time.monotonic() - started)
            p.wait()
            shutil.rmtree(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    m1, ms = statistics.median(one), statistics.median(split)
    rate = lambda s: args.images / s  # noqa: E731
    print(f"{args.images} images {args.size}, {args.rounds} rounds, medians, release binary, {os.cpu_count()} CPUs")
    print(f"| run | wall s | img/s |")
    print(f"| --- | ---: | ---: |")
    print(f"| 1 task, --workers {n} | {m1:.2f} | {rate(m1):,.0f} |")
    print(f"| {n} tasks (--partition I/{n}), --workers 1 each, at once | {ms:.2f} | {rate(ms):,.0f} "
          f"({rate(ms) / rate(m1):.1%} of 1 task) |")
    print(f"per task: start-up + exit with nothing to do (empty SRC) {statistics.median(empty_run) * 1000:.0f} ms; "
          f"rerun of a done partition {statistics.median(noop) * 1000:.0f} ms (scans SRC); "
          f"first 64-row shard of a partition durable after {statistics.median(first) * 1000:.0f} ms")
    print("rounds (s): one", [round(x, 2) for x in one], "split", [round(x, 2) for x in split])


if __name__ == "__main__":
    main()
