#!/usr/bin/env python3
"""Large single-layout corpora for the strip benchmark (`run.py strips`).

    python3 bench/make_strip_corpus.py --layout raw --count 300 --out bench/corpus-2048-raw8
    python3 bench/make_strip_corpus.py --layout deflate --count 300 --out bench/corpus-2048-deflate8

Every file is one page of 8-bit gray, SIDE x SIDE (default 2048), cut in strips of
--rows-per-strip rows (default 8): `raw` is uncompressed, `deflate` is zlib level 6, `lzw` is
LZW. A 256x256 linear resize of a 2048x2048 image reads source rows 8y+3 and 8y+4 for output
row y (`cv::resize` maps y to 8y+3.5), so with 8-row strips every strip holds two rows the
resize needs: an uncompressed decoder can read just those (a quarter of the bytes, in one
pread per needed run of rows or one for the file), a compressed one must inflate every strip.
`--rows-per-strip 1` makes a corpus where 3 strips out of 4 are never needed.

Pixels come from make_corpus's field (gradient, low-frequency field, blobs, sensor noise);
image i depends only on (seed, i, side). Files are named img-NNNNNN.tif and written under a
temporary dot-name, then renamed, so a directory with `count` img-*.tif files is complete.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

import numpy as np

import make_corpus

LAYOUTS = {
    "raw": {},
    "deflate": {"compression": "zlib", "compressionargs": {"level": 6}},
    "lzw": {"compression": "lzw"},
}


def make_image(seed: int, index: int, side: int) -> np.ndarray:
    """The 8-bit gray pixels of image `index`."""
    rng = np.random.default_rng([seed, index, side])
    return make_corpus._quantize(rng, make_corpus._field(rng, side, side), 255, np.uint8)


def _write_one(job: tuple[str, str, int, int, int, int]) -> int:
    out, layout, seed, index, side, rows_per_strip = job
    data = make_image(seed, index, side)
    final = os.path.join(out, make_corpus.file_name(index))
    temporary = os.path.join(out, "." + make_corpus.file_name(index) + ".part")
    make_corpus.tifffile.imwrite(temporary, data, photometric="minisblack", rowsperstrip=rows_per_strip,
                                 datetime=False, software="tiffshard-bench", **LAYOUTS[layout])
    os.replace(temporary, final)
    return os.path.getsize(final)


def make_strip_corpus(out: str, layout: str, count: int, side: int = 2048, rows_per_strip: int = 8,
                      seed: int = 1, processes: int | None = None) -> int:
    """Write `count` images into `out` (created if needed); returns total bytes."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (one of {', '.join(LAYOUTS)})")
    os.makedirs(out, exist_ok=True)
    jobs = [(out, layout, seed, i, side, rows_per_strip) for i in range(count)]
    with multiprocessing.Pool(processes or os.cpu_count()) as pool:
        return sum(pool.imap_unordered(_write_one, jobs, chunksize=4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=sorted(LAYOUTS), required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--side", type=int, default=2048)
    parser.add_argument("--rows-per-strip", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args()
    started = time.monotonic()
    total = make_strip_corpus(args.out, args.layout, args.count, args.side, args.rows_per_strip, args.seed,
                              args.processes)
    print(f"wrote {args.count} {args.side}x{args.side} {args.layout} images, {args.rows_per_strip} rows per strip "
          f"({total / 2**20:.1f} MiB) to {args.out} in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
