"""Corpora for the benchmarks: bench/corpus-<label>, made by make_corpus.py."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def label(count: int) -> str:
    """1000 -> '1k', 8000 -> '8k', 300 -> '300'."""
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def corpus_dir(count: int) -> str:
    return os.path.join(BENCH, f"corpus-{label(count)}")


def files(directory: str) -> list[str]:
    """The corpus files, sorted."""
    return sorted(glob.glob(os.path.join(directory, "img-*.tif")))


def ensure(count: int, seed: int = 1) -> str:
    """bench/corpus-<label> with exactly `count` images, generated if missing or
    incomplete (make_corpus writes each file under a temporary name first)."""
    directory = corpus_dir(count)
    if len(files(directory)) == count:
        return directory
    print(f"run.py: generating {count} images in {directory}", file=sys.stderr)
    command = [sys.executable, os.path.join(BENCH, "make_corpus.py"), "--count", str(count),
               "--out", directory, "--seed", str(seed)]
    if subprocess.run(command).returncode != 0:
        sys.exit("run.py: make_corpus.py failed")
    if len(files(directory)) != count:
        sys.exit(f"run.py: {directory} does not hold {count} images; remove it and run again")
    return directory


WARM_CPU = [0.0]  # CPU seconds this process spent warming the cache, for the report


def warm(directory: str) -> int:
    """Read every file once (untimed), so both tools start from a warm page cache.
    Returns the number of bytes read."""
    started = time.process_time()
    total = 0
    for path in files(directory):
        with open(path, "rb", buffering=0) as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
    WARM_CPU[0] += time.process_time() - started
    return total


STRIP_LAYOUTS = {"raw": "uncompressed", "deflate": "Deflate (zlib 6)", "lzw": "LZW"}


def strip_corpus_dir(layout: str, count: int, side: int, rows_per_strip: int) -> str:
    """bench/corpus-2048-raw8 for the default 300 images, bench/corpus-2048-raw8-60 for 60."""
    suffix = "" if count == 300 else f"-{count}"
    return os.path.join(BENCH, f"corpus-{side}-{layout}{rows_per_strip}{suffix}")


def ensure_strips(layout: str, count: int = 300, side: int = 2048, rows_per_strip: int = 8, seed: int = 1) -> str:
    """bench/corpus-<side>-<layout><rows> (make_strip_corpus.py), generated if incomplete."""
    directory = strip_corpus_dir(layout, count, side, rows_per_strip)
    if len(files(directory)) == count:
        return directory
    if len(files(directory)) > count:
        sys.exit(f"run.py: {directory} holds more than {count} images; remove it")
    print(f"run.py: generating {count} {side}x{side} {layout} images in {directory}", file=sys.stderr)
    command = [sys.executable, os.path.join(BENCH, "make_strip_corpus.py"), "--layout", layout, "--count", str(count),
               "--out", directory, "--side", str(side), "--rows-per-strip", str(rows_per_strip), "--seed", str(seed)]
    if subprocess.run(command).returncode != 0 or len(files(directory)) != count:
        sys.exit("run.py: make_strip_corpus.py failed")
    return directory


def strip_corpus_name(layout: str, count: int, side: int, rows_per_strip: int) -> str:
    return f"{side}² {STRIP_LAYOUTS[layout]}, {rows_per_strip} rows/strip ({count})"
