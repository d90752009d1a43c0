#!/usr/bin/env python3
"""Writes the seed corpus of the kernel fuzzer: one tiny TIFF per layout the decoder must handle.

Usage: make_seeds.py OUT_DIR

Every layout of the direct libtiff path (gray 8/16, RGB, RGBA with associated and unassociated
alpha, contiguous and separate planes, strips and tiles, none/LZW/deflate/PackBits/LZMA/ZSTD/WebP/
LERC, horizontal predictor, BigTIFF, big-endian, several pages) and of the cv::imread fallback
(palette, JPEG, 1-bit, 4-bit, min-is-white, flipped orientation, signed, float) gets one file of
a few hundred bytes, so that mutations stay inside the fuzzer's -max_len and run fast. Content is
deterministic (a gradient plus seeded noise): the same seeds on every run and every machine.
Prints one line per file written; a codec the local imagecodecs lacks is skipped with a note.
"""
import os
import sys

import numpy as np
import tifffile

H, W = 13, 20  # odd sizes: partial last strip, right- and bottom-clipped 16x16 tiles


def image(channels=1, dtype=np.uint8, h=H, w=W, seed=7):
    """A gradient with a little seeded noise, so that predictors and codecs have real work."""
    rng = np.random.default_rng(seed)
    top = np.iinfo(dtype).max if np.issubdtype(dtype, np.integer) else 1.0
    y, x = np.mgrid[0:h, 0:w]
    base = (x * 7 + y * 11) / (7 * w + 11 * h)
    planes = [(base + rng.random((h, w)) * 0.05 + k * 0.2) % 1.0 for k in range(channels)]
    data = np.stack(planes, axis=-1) if channels > 1 else planes[0]
    return (data * top).astype(dtype)


def planes(data):
    """Height x width x samples to samples x height x width, as tifffile wants separate planes."""
    return np.ascontiguousarray(np.moveaxis(data, -1, 0))


GRAY = dict(photometric="minisblack")
RGB = dict(photometric="rgb")
STRIPS = dict(rowsperstrip=4)

# name -> (data, tifffile.imwrite keyword arguments)
SEEDS = {
    # direct path: gray 8-bit, every lossless codec
    "gray8-none": (image(), dict(**GRAY, **STRIPS)),
    "gray8-lzw": (image(), dict(**GRAY, **STRIPS, compression="lzw")),
    "gray8-deflate": (image(), dict(**GRAY, **STRIPS, compression="adobe_deflate")),
    "gray8-packbits": (image(), dict(**GRAY, **STRIPS, compression="packbits")),
    "gray8-lzw-predictor": (image(), dict(**GRAY, compression="lzw", predictor=True)),
    "gray8-lzma": (image(), dict(**GRAY, compression="lzma")),
    "gray8-zstd": (image(), dict(**GRAY, compression="zstd")),
    "gray8-lerc": (image(), dict(**GRAY, compression="lerc")),
    "gray8-onestrip": (image(), dict(**GRAY)),
    # direct path: gray 16-bit
    "gray16-none": (image(dtype=np.uint16), dict(**GRAY, **STRIPS)),
    "gray16-deflate-predictor": (image(dtype=np.uint16), dict(**GRAY, compression="zlib", predictor=True)),
    # direct path: RGB / RGBA, contiguous and separate planes
    "rgb8-none": (image(3), dict(**RGB, **STRIPS)),
    "rgb8-lzw-predictor": (image(3), dict(**RGB, compression="lzw", predictor=True)),
    "rgb8-separate": (planes(image(3)), dict(**RGB, **STRIPS, planarconfig="separate")),
    "rgb16-none": (image(3, np.uint16), dict(**RGB)),
    "rgba8-unassoc": (image(4), dict(**RGB, extrasamples=["unassalpha"], compression="adobe_deflate")),
    "rgba8-assoc": (image(4), dict(**RGB, extrasamples=["assocalpha"])),
    "rgba8-unspecified": (image(4), dict(**RGB, extrasamples=["unspecified"], compression="packbits")),
    "rgba8-separate-unassoc": (planes(image(4)), dict(**RGB, planarconfig="separate", extrasamples=["unassalpha"],
                                                     compression="lzw")),
    "rgb16-separate": (planes(image(3, np.uint16)), dict(**RGB, planarconfig="separate", compression="zstd")),
    "rgba16-separate-unassoc": (planes(image(4, np.uint16)), dict(**RGB, planarconfig="separate",
                                                          extrasamples=["unassalpha"])),
    "rgb8-webp": (image(3), dict(**RGB, compression="webp", compressionargs={"lossless": True})),
    # direct path: tiles (16x16 on 20x13: clipped right and bottom)
    "gray8-tiled": (image(), dict(**GRAY, tile=(16, 16))),
    "gray8-tiled-lzw": (image(), dict(**GRAY, tile=(16, 16), compression="lzw")),
    "rgb8-tiled-separate": (planes(image(3)), dict(**RGB, tile=(16, 16), planarconfig="separate",
                                           compression="adobe_deflate")),
    "rgba16-tiled": (image(4, np.uint16), dict(**RGB, tile=(16, 16), extrasamples=["unassalpha"])),
    # container variants
    "bigtiff-gray8": (image(), dict(**GRAY, **STRIPS, bigtiff=True)),
    "bigtiff-rgb8-tiled": (image(3), dict(**RGB, tile=(16, 16), bigtiff=True, compression="lzw")),
    "bigendian-gray16": (image(dtype=np.uint16), dict(**GRAY, **STRIPS, byteorder=">")),
    "bigendian-rgb16-lzw": (image(3, np.uint16), dict(**RGB, byteorder=">", compression="lzw")),
    # fallback (cv::imread) or unsupported layouts
    "gray16-tiled-clipped": (image(dtype=np.uint16), dict(**GRAY, tile=(16, 16))),
    "palette8": (image(), dict(photometric="palette",
                               colormap=np.arange(3 * 256, dtype=np.uint16).reshape(3, 256) * 85)),
    "jpeg-rgb": (image(3), dict(**RGB, compression="jpeg")),
    "jpeg-gray": (image(), dict(**GRAY, compression="jpeg")),
    "bilevel": (image() > 128, dict(**GRAY)),
    "gray4": (image() >> 4, dict(**GRAY, bitspersample=4)),
    "miniswhite8": (image(), dict(photometric="miniswhite")),
    "orientation-bottomleft": (image(), dict(**GRAY, extratags=[(274, "H", 1, 4, True)])),
    "int16": (image(dtype=np.int16), dict(**GRAY)),
    "float32": (image(dtype=np.float32), dict(**GRAY)),
    "rgb-two-extra": (image(5), dict(**RGB, extrasamples=["unassalpha", "unspecified"])),
}


def write_multipage(path):
    """Three pages of different kinds: the kernel decodes page 0 and counts the pages."""
    with tifffile.TiffWriter(path) as tif:
        tif.write(image(), **GRAY, compression="lzw")
        tif.write(image(3, seed=8), **RGB)
        tif.write(image(dtype=np.uint16, h=5, w=6), **GRAY, compression="packbits")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (data, options) in SEEDS.items():
        path = os.path.join(out, name + ".tif")
        try:
            tifffile.imwrite(path, data, **options)
        except Exception as error:  # a codec missing from this imagecodecs build
            print(f"skipped {name}: {error}")
            continue
        print(f"{name}.tif {os.path.getsize(path)} bytes")
    path = os.path.join(out, "multipage3.tif")
    write_multipage(path)
    print(f"multipage3.tif {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
