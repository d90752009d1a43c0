"""Seeded pixel content and the master files the writers read (see make_real_writers.py).

Content is a gradient, a disc, a rectangle, a wave and noise per channel, so every block of a file
differs and a misplaced row or tile shows. Masters are the inputs of the command-line writers:
PGM/PPM/PAM (read by ImageMagick, vips and ppm2tiff), raw samples (raw2tiff), and plain uncompressed
TIFFs written by tifffile (read by GDAL and the libtiff tools, which need a TIFF or a GDAL raster).
"""
import os
import threading

import numpy as np
import tifffile

# What each master kind holds: (samples, dtype). "bitsN" are uint8 values below 2**N; "gray12" uint16
# below 4096; "zeros*" are all zero and "rowzero*"/"tilezero*" zero in every other 32-row band or 32x32
# square, starting with the first ("rowgap*"/"tilegap*": starting with the second, so the first block of
# the file holds data), so writers that omit empty blocks omit some.
KINDS = {
    "gray8": (1, np.uint8), "rgb8": (3, np.uint8), "rgba8": (4, np.uint8), "graya8": (2, np.uint8),
    "gray16": (1, np.uint16), "rgb16": (3, np.uint16), "rgba16": (4, np.uint16), "gray12": (1, np.uint16),
    "bits1": (1, np.uint8), "bits2": (1, np.uint8), "bits4": (1, np.uint8), "bilevel": (1, np.bool_),
    "int8": (1, np.int8), "int16": (1, np.int16), "int32": (1, np.int32), "uint32": (1, np.uint32),
    "float16": (1, np.float16), "float32": (1, np.float32), "float64": (1, np.float64),
    "rgbf32": (3, np.float32), "cmyk8": (4, np.uint8), "bands5": (5, np.uint8), "palette": (1, np.uint8),
    "zeros8": (1, np.uint8), "zeros16": (1, np.uint16), "zerosrgb8": (3, np.uint8),
    "rowzero8": (1, np.uint8), "rowzero16": (1, np.uint16), "rowzerorgb8": (3, np.uint8),
    "tilezero8": (1, np.uint8), "tilezero16": (1, np.uint16), "tilezerorgb8": (3, np.uint8),
    "rowgap8": (1, np.uint8), "rowgaprgb8": (3, np.uint8), "tilegap8": (1, np.uint8), "tilegap16": (1, np.uint16),
}


def field(height, width, seed, channels=1):
    """float64 (height, width, channels) in [0, 1]: gradient + disc + rectangle + wave + noise, seeded."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = xx / max(width - 1, 1), yy / max(height - 1, 1)
    planes = []
    for c in range(channels):
        a, b = rng.uniform(-1, 1, 2)
        base = 0.5 + 0.4 * (a * u + b * v) / (abs(a) + abs(b) + 1e-9)
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(0.15, 0.45) * max(height, width)
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        y0, x0 = rng.integers(0, height), rng.integers(0, width)
        rect = (yy >= y0) & (yy < y0 + height // 3 + 1) & (xx >= x0) & (xx < x0 + width // 4 + 1)
        wave = 0.08 * np.sin(xx / (2.0 + 3 * c) + yy / 5.0)
        plane = base + 0.25 * disc - 0.3 * rect + wave + rng.normal(0, 0.04, (height, width))
        planes.append(np.clip(plane, 0, 1))
    return np.stack(planes, -1)


def alpha_plane(height, width, seed):
    """An alpha ramp with fully transparent and fully opaque bands (premultiplication shows in both)."""
    rng = np.random.default_rng(seed + 7)
    u = np.mgrid[0:height, 0:width][1] / max(width - 1, 1)
    return np.clip(1.5 * u - 0.25 + rng.normal(0, 0.03, (height, width)), 0, 1)


def pixels(kind, height, width, seed):
    """The master array: (h, w) for one sample, (h, w, s) otherwise, in the kind's dtype."""
    samples, dtype = KINDS[kind]
    if kind.startswith("zeros"):
        return np.squeeze(np.zeros((height, width, samples), dtype), -1) if samples == 1 else \
            np.zeros((height, width, samples), dtype)
    color = samples - 1 if kind in ("rgba8", "rgba16", "graya8") else samples
    f = field(height, width, seed, color)
    if color != samples:
        f = np.concatenate([f, alpha_plane(height, width, seed)[..., None]], -1)
    if kind.startswith(("rowzero", "tilezero", "rowgap", "tilegap")):
        yy, xx = np.mgrid[0:height, 0:width]
        first = 0 if "zero" in kind else 1
        empty = (yy // 32) % 2 == first if kind.startswith("row") else ((yy // 32) + (xx // 32)) % 2 == first
        f[empty] = 0
    top = {"bits1": 1, "bits2": 3, "bits4": 15, "gray12": 4095, "palette": 255}.get(kind)
    if top is not None:
        a = np.round(f * top).astype(dtype)
    elif kind == "bilevel":
        a = f + np.random.default_rng(seed).normal(0, 0.1, f.shape) > 0.5
    elif np.issubdtype(dtype, np.floating):
        a = (f * 1.5 - 0.25).astype(dtype)
    else:
        info = np.iinfo(dtype)
        lo, hi = (info.min, info.max) if info.bits < 32 else (info.min // 2 + 1, info.max // 2)
        a = np.round(lo + f * (float(hi) - float(lo))).astype(dtype)
    return a[..., 0] if samples == 1 else a


def colormap(seed):
    """A 3 x 256 uint16 TIFF colormap: a smooth hue walk with a few random entries."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, 256)
    cmap = np.stack([0.5 + 0.5 * np.sin(2 * np.pi * (t + k / 3)) for k in range(3)])
    cmap[:, rng.integers(0, 256, 12)] = rng.uniform(0, 1, (3, 12))
    return np.round(cmap * 65535).astype(np.uint16)


def write_pnm(path, a):
    """PGM (P5), PPM (P6) or PAM (P7 for 2 or 4 samples); 16-bit samples big-endian, as Netpbm says."""
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    h, w = a.shape[:2]
    samples = 1 if a.ndim == 2 else a.shape[2]
    maxval = 65535 if a.dtype == np.uint16 else 255
    data = a.astype(">u2" if maxval == 65535 else np.uint8).tobytes()
    if samples in (1, 3):
        header = f"P{5 if samples == 1 else 6}\n{w} {h}\n{maxval}\n"
    else:
        tupltype = {2: "GRAYSCALE_ALPHA", 4: "RGB_ALPHA"}[samples]
        header = f"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH {samples}\nMAXVAL {maxval}\nTUPLTYPE {tupltype}\nENDHDR\n"
    with open(path, "wb") as f:
        f.write(header.encode() + data)


def write_master_tiff(path, kind, a, seed):
    """A plain uncompressed, contiguous, single-strip-per-8KiB TIFF of the master by tifffile."""
    samples = KINDS[kind][0]
    options = dict(metadata=None, photometric="minisblack")
    if kind == "palette":
        options.update(photometric="palette", colormap=colormap(seed))
    elif kind == "cmyk8":
        options.update(photometric="separated")
    elif samples in (3, 4) and kind != "bands5":
        options.update(photometric="rgb", extrasamples=["unassalpha"] if samples == 4 else None)
    elif samples == 2:
        options.update(extrasamples=["unassalpha"])
    elif samples == 5:
        options.update(planarconfig="contig", extrasamples=["unspecified"] * 4)
    tifffile.imwrite(path, a, **options)


class Masters:
    """Creates master files on demand (thread-safe), named `KIND-WxH-sSEED.EXT` in `directory`."""

    def __init__(self, directory):
        self.directory = directory
        self._lock = threading.Lock()
        self._made = {}

    def array(self, kind, width, height, seed=1):
        """The master's pixels (computed, not read back)."""
        return pixels(kind, height, width, seed)

    def path(self, kind, width, height, seed=1, ext="tif"):
        """Path of the master in format `ext` (tif, pnm, raw), writing it on first use."""
        if ext == "pnm":
            samples = KINDS[kind][0]
            ext = {1: "pgm", 3: "ppm"}.get(samples, "pam")
        name = f"{kind}-{width}x{height}-s{seed}.{ext}"
        path = os.path.join(self.directory, name)
        with self._lock:
            if name not in self._made:
                a = pixels(kind, height, width, seed)
                if ext == "tif":
                    write_master_tiff(path, kind, a, seed)
                elif ext == "raw":
                    a.astype(a.dtype.newbyteorder("<")).tofile(path)
                else:
                    write_pnm(path, a)
                self._made[name] = path
        return path
