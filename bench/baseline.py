#!/usr/bin/env python3
"""The Python approach tiffshard replaces, kept faithful on purpose.

    python3 bench/baseline.py SRC OUT --width W --height H --workers N [--cv-threads T]

What the typical script does, and nothing cleverer: list the TIFFs in SRC,
sorted; allocate ONE shared-memory array N x H x W uint8 for the whole dataset
(`multiprocessing.shared_memory.SharedMemory`); a `multiprocessing.Pool`
whose workers attach to it by name and fill their row with
`cv2.resize(cv2.imread(path, cv2.IMREAD_GRAYSCALE), (W, H))` (INTER_LINEAR,
the default), distributed with `pool.map`; then `np.save(OUT/baseline.npy)`.

So memory grows with the dataset (N x H x W bytes, plus the copy `np.save`
streams out), and each worker loads a full OpenCV with its own thread pool:
the typical script does not call `cv2.setNumThreads`, so OpenCV's threads
compete with the pool's processes. `--cv-threads 1` calls
`cv2.setNumThreads(1)` in every worker, to measure that effect.

A file OpenCV cannot read leaves its row zero and is counted; the typical
script would crash on `None`, which is not worth reproducing. The last line
on stderr is a summary like tiffshard's.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from multiprocessing import Pool
from multiprocessing.shared_memory import SharedMemory

import cv2
import numpy as np

_shared: SharedMemory | None = None
_dataset: np.ndarray | None = None
_size: tuple[int, int] = (0, 0)


def list_sources(src: str) -> list[str]:
    """The TIFFs directly inside `src`, sorted (what `sorted(glob(...))` gives)."""
    paths = glob.glob(os.path.join(src, "*.tif")) + glob.glob(os.path.join(src, "*.tiff"))
    return sorted(paths)


def _attach(name: str, shape: tuple[int, int, int], cv_threads: int | None) -> None:
    """Pool initializer: attach to the dataset's shared memory by name."""
    global _shared, _dataset, _size
    if cv_threads is not None:
        cv2.setNumThreads(cv_threads)
    _shared = SharedMemory(name=name)
    _dataset = np.ndarray(shape, dtype=np.uint8, buffer=_shared.buf)
    _size = (shape[2], shape[1])


def _load(job: tuple[int, str]) -> bool:
    """Decode one file into its row; False if OpenCV could not read it."""
    row, path = job
    image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    if image is None:
        return False
    _dataset[row] = cv2.resize(image, _size)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description="Faithful Python baseline (shared memory + Pool + cv2).")
    parser.add_argument("src")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument(
        "--cv-threads",
        type=int,
        default=None,
        help="call cv2.setNumThreads(T) in each worker (default: leave OpenCV alone, like the typical script)",
    )
    args = parser.parse_args()

    started = time.monotonic()
    files = list_sources(args.src)
    if not files:
        sys.exit(f"baseline.py: no .tif/.tiff files in {args.src}")
    os.makedirs(args.out, exist_ok=True)
    shape = (len(files), args.height, args.width)
    shared = SharedMemory(create=True, size=int(np.prod(shape)))
    try:
        dataset = np.ndarray(shape, dtype=np.uint8, buffer=shared.buf)
        dataset[:] = 0
        with Pool(args.workers, initializer=_attach, initargs=(shared.name, shape, args.cv_threads)) as pool:
            results = pool.map(_load, enumerate(files))
        # Pool.__exit__ terminates; join so every worker is reaped (its CPU time counted).
        pool.join()
        np.save(os.path.join(args.out, "baseline.npy"), dataset)
        del dataset
    finally:
        shared.close()
        shared.unlink()

    elapsed = time.monotonic() - started
    failed = results.count(False)
    print(
        f"baseline: {len(files) - failed} images in {elapsed:.1f} s "
        f"({(len(files) - failed) / elapsed:.1f} img/s); unreadable {failed}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
