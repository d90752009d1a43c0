#!/usr/bin/env python3
"""Make a deterministic TIFF corpus for the tiffshard benchmarks.

    python3 bench/make_corpus.py --count 1000 --out bench/corpus-1k [--seed 1]

Image i depends only on (seed, i): the same seed gives byte-identical files,
and the first 1000 files of an 8000-image corpus are the 1000-image corpus.
Content is realistic enough for compression to matter: a smooth gradient, a
low-frequency field, Gaussian blobs and a little sensor noise. Only numpy is
used to draw the pixels (no resampling library whose rounding could change
between versions).

Kinds cycle with i % 10:

  0 gray8 uncompressed        5 RGB8 uncompressed (contiguous)
  1 gray8 LZW                 6 gray8 tiled 256x256, LZW
  2 gray8 deflate             7 gray8 multi-page (3 pages), uncompressed
  3 gray8 LZW + predictor     8 gray8 BigTIFF, uncompressed
  4 gray16 uncompressed       9 gray8 LZW, odd non-square size

Sizes: kinds 0-8 take width and height from {512, 640, 768, 1024}; kind 9
takes any width and height in [512, 1024]. Files are named img-NNNNNN.tif and
written under a temporary dot-name, then renamed, so a directory holding
`count` files named img-*.tif is complete.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

# One BLAS thread per process: the pool already uses every core.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

try:
    import tifffile
    import imagecodecs  # noqa: F401  (tifffile needs it for LZW)
except ImportError as error:  # pragma: no cover - message for the user
    sys.exit(f"make_corpus.py: {error}; run: pip install -r bench/requirements.txt")

KINDS = (
    "gray8",
    "gray8-lzw",
    "gray8-deflate",
    "gray8-lzw-predictor",
    "gray16",
    "rgb8",
    "gray8-tiled",
    "gray8-multipage",
    "gray8-bigtiff",
    "gray8-mixed-size",
)
SIDES = (512, 640, 768, 1024)


def file_name(index: int) -> str:
    """Name of image `index` inside the corpus directory."""
    return f"img-{index:06d}.tif"


def _smooth_basis(n: int, grid: int) -> np.ndarray:
    """(n, grid) matrix interpolating `grid` knots to n samples with cosine easing."""
    u = np.linspace(0.0, grid - 1, n)
    lo = np.minimum(np.floor(u).astype(np.int64), grid - 2)
    t = u - lo
    t = (1.0 - np.cos(np.pi * t)) / 2.0
    basis = np.zeros((n, grid))
    rows = np.arange(n)
    basis[rows, lo] = 1.0 - t
    basis[rows, lo + 1] = t
    return basis


def _field(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A float image in roughly [0, 1]: gradient + low-frequency field + blobs."""
    y = np.linspace(-1.0, 1.0, height)[:, None]
    x = np.linspace(-1.0, 1.0, width)[None, :]
    angle = rng.uniform(0.0, 2.0 * np.pi)
    image = 0.5 + 0.25 * (np.cos(angle) * x + np.sin(angle) * y)

    grid = int(rng.integers(4, 10))
    knots = rng.uniform(-0.2, 0.2, size=(grid, grid))
    image = image + _smooth_basis(height, grid) @ knots @ _smooth_basis(width, grid).T

    # Sum of separable Gaussian blobs = (H x K) @ (K x W).
    count = int(rng.integers(3, 13))
    cy = rng.uniform(0, height, count)
    cx = rng.uniform(0, width, count)
    sigma = rng.uniform(15.0, 150.0, count)
    amplitude = rng.uniform(-0.35, 0.45, count)
    rows = np.arange(height)[:, None]
    cols = np.arange(width)[:, None]
    gy = np.exp(-((rows - cy) ** 2) / (2 * sigma**2)) * amplitude
    gx = np.exp(-((cols - cx) ** 2) / (2 * sigma**2))
    return image + gy @ gx.T


def _quantize(rng: np.random.Generator, field: np.ndarray, maximum: int, dtype) -> np.ndarray:
    """Scale a float field to [0, maximum], add sensor noise, round, clip."""
    noise_sigma = rng.uniform(1.0, 4.0) * (maximum / 255.0)
    noisy = field * maximum + rng.normal(0.0, noise_sigma, size=field.shape)
    return np.clip(np.rint(noisy), 0, maximum).astype(dtype)


def make_image(seed: int, index: int) -> tuple[str, np.ndarray, dict]:
    """Kind name, pixel data and tifffile.imwrite keyword arguments of image `index`."""
    rng = np.random.default_rng([seed, index])
    kind = KINDS[index % len(KINDS)]
    if kind == "gray8-mixed-size":
        height, width = (int(v) for v in rng.integers(512, 1025, size=2))
    else:
        height, width = (int(SIDES[v]) for v in rng.integers(0, len(SIDES), size=2))

    options: dict = {"photometric": "minisblack"}
    if kind == "gray16":
        data = _quantize(rng, _field(rng, height, width), 65535, np.uint16)
    elif kind == "rgb8":
        base = _field(rng, height, width)
        tint = [_field(rng, height, width) for _ in range(3)]
        data = np.stack([_quantize(rng, 0.7 * base + 0.3 * t, 255, np.uint8) for t in tint], axis=-1)
        options = {"photometric": "rgb", "planarconfig": "contig"}
    elif kind == "gray8-multipage":
        data = np.stack([_quantize(rng, _field(rng, height, width), 255, np.uint8) for _ in range(3)])
    else:
        data = _quantize(rng, _field(rng, height, width), 255, np.uint8)

    if kind in ("gray8-lzw", "gray8-mixed-size"):
        options["compression"] = "lzw"
    elif kind == "gray8-deflate":
        options["compression"] = "zlib"
        options["compressionargs"] = {"level": 6}
    elif kind == "gray8-lzw-predictor":
        options["compression"] = "lzw"
        options["predictor"] = True
    elif kind == "gray8-tiled":
        options["compression"] = "lzw"
        options["tile"] = (256, 256)
    elif kind == "gray8-bigtiff":
        options["bigtiff"] = True
    return kind, data, options


def _write_one(job: tuple[str, int, int]) -> int:
    """Write image `index` into `out`; returns its size in bytes."""
    out, seed, index = job
    _, data, options = make_image(seed, index)
    final = os.path.join(out, file_name(index))
    temporary = os.path.join(out, "." + file_name(index) + ".part")
    # No datetime tag, a fixed software tag: bytes depend on (seed, index) only.
    tifffile.imwrite(temporary, data, datetime=False, software="tiffshard-bench", **options)
    os.replace(temporary, final)
    return os.path.getsize(final)


def make_corpus(out: str, count: int, seed: int = 1, processes: int | None = None) -> int:
    """Write `count` images into `out` (created if needed); returns total bytes."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.startswith(".img-") and name.endswith(".part"):
            os.unlink(os.path.join(out, name))
    jobs = [(out, seed, i) for i in range(count)]
    with multiprocessing.Pool(processes or os.cpu_count()) as pool:
        return sum(pool.imap_unordered(_write_one, jobs, chunksize=16))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True, help="number of images")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--processes", type=int, default=None, help="default: CPU count")
    args = parser.parse_args()
    started = time.monotonic()
    total = make_corpus(args.out, args.count, args.seed, args.processes)
    elapsed = time.monotonic() - started
    print(
        f"wrote {args.count} images ({total / 2**20:.1f} MiB) to {args.out} "
        f"in {elapsed:.1f} s (seed {args.seed})",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
