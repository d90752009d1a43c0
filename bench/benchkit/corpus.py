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
