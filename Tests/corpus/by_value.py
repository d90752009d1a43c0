#!/usr/bin/env python3
"""The contract's by-value decode (dtype float32 where cv::imread cannot read a page), from tifffile.

    python3 Tests/corpus/by_value.py CORPUSDIR

For every page K of every corpus file that tifffile decoded (`NAME.tifffile[.pK].npy`, see
make_real_writers.py) and whose samples are 8/16/32/64-bit integers or floats, writes
`NAME.pK.byvalue-gray.f32` and `NAME.pK.byvalue-rgb.f32` (little-endian float32, C order):
gray = the first sample, or r*0.299 + g*0.587 + b*0.114 evaluated in float32 left to right for
photometric RGB; rgb = the first three samples of RGB, or the first sample three times.
"""
import json
import os
import sys

import numpy as np
import tifffile


def pages_of(path):
    """The main-chain pages tiffshard counts (NewSubfileType bit 0 clear), as tifffile pages."""
    with tifffile.TiffFile(path) as tif:
        return [(p.photometric, p.planarconfig, p.dtype) for p in tif.pages if not (int(p.subfiletype) & 1)]


def main(directory):
    with open(os.path.join(directory, "corpus.json"), encoding="utf-8") as f:
        corpus = json.load(f)
    written = 0
    for entry in corpus["files"]:
        arrays = entry.get("tifffile") or []
        try:
            layouts = pages_of(os.path.join(directory, entry["name"]))
        except Exception:
            continue
        for k, (array_name, (photometric, planar, dtype)) in enumerate(zip(arrays, layouts)):
            if dtype is None or dtype.kind not in "uif" or dtype.itemsize * 8 not in (8, 16, 32, 64):
                continue
            data = np.load(os.path.join(directory, array_name)).astype(np.float32)
            if data.ndim == 3 and int(planar) == 2:
                data = np.moveaxis(data, 0, -1)
            if data.ndim == 2:
                data = data[:, :, None]
            if data.ndim != 3:
                continue
            rgb_source = int(photometric) == 2 and data.shape[2] >= 3
            if rgb_source:
                r, g, b = data[..., 0], data[..., 1], data[..., 2]
                gray = (r * np.float32(0.299) + g * np.float32(0.587)) + b * np.float32(0.114)
                rgb = data[..., :3]
            else:
                gray = data[..., 0]
                rgb = np.repeat(data[..., :1], 3, axis=2)
            base = os.path.join(directory, f"{entry['name']}.p{k}")
            np.ascontiguousarray(gray, dtype="<f4").tofile(base + ".byvalue-gray.f32")
            np.ascontiguousarray(rgb, dtype="<f4").tofile(base + ".byvalue-rgb.f32")
            written += 1
    print(written)


if __name__ == "__main__":
    main(sys.argv[1])
