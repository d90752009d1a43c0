"""Helpers of the many-machines tests: a TIFF corpus, running tiffshard, reading a store in index order."""
import json
import os
import subprocess

import numpy as np
import tifffile


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def make_corpus(folder, count, seed=11, multipage=False, big_every=0):
    """`count` TIFFs of varied sizes (8/16-bit gray, RGB, compressions), one truncated file and one non-TIFF
    named .tif; returns the names of the good files."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    names = []
    for i in range(count):
        big = big_every and i % big_every == 0
        h, w = (int(rng.integers(600, 1400)), int(rng.integers(600, 1400))) if big else \
            (int(rng.integers(8, 300)), int(rng.integers(8, 300)))
        kind = i % 4
        pages = int(rng.integers(1, 4)) if multipage and i % 3 == 0 else 1
        shape = (pages, h, w) if pages > 1 else (h, w)
        if kind == 1:
            data = rng.integers(0, 65535, shape, dtype=np.uint16)
        elif kind == 2:
            data = rng.integers(0, 255, shape + (3,), dtype=np.uint8)
        else:
            # Smooth plus noise: compresses like a real image.
            ramp = (np.arange(w)[None, :] + np.arange(h)[:, None]) % 256
            data = (np.broadcast_to(ramp, shape) + rng.integers(0, 16, shape)).astype(np.uint8)
        name = f"{i // 100:02d}/img-{i:05d}.tif" if i % 7 == 0 else f"img-{i:05d}.tif"
        os.makedirs(os.path.dirname(os.path.join(folder, name)) or folder, exist_ok=True)
        compression = [None, "zlib", "lzw", None][kind]
        tifffile.imwrite(os.path.join(folder, name), data, compression=compression,
                         photometric="rgb" if kind == 2 else "minisblack")
        names.append(name)
    with open(os.path.join(folder, "img-truncated.tif"), "wb") as f:
        f.write(b"II*\x00\x08\x00\x00\x00\x0b\x00")
    with open(os.path.join(folder, "not-a-tiff.tif"), "wb") as f:
        f.write(b"hello")
    return names


def tiffshard(binary, *args, check_rc=True, **kw):
    r = subprocess.run([binary, *args], capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise AssertionError(f"tiffshard {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def rows_of(folder, shard_files):
    """(pixels concatenated, [(source, page), ...]) of the shards, in the order given."""
    arrays, records = [], []
    for name in shard_files:
        arrays.append(np.load(os.path.join(folder, name)))
        with open(os.path.join(folder, name[:-4] + ".jsonl"), encoding="utf-8") as f:
            records += [json.loads(line) for line in f]
    pixels = np.concatenate(arrays) if arrays else np.zeros((0,))
    return pixels, [(r["source"], r.get("page", 0)) for r in records]


def single_machine_rows(folder):
    """A single-machine convert's rows: shard-*.npy in name order."""
    names = sorted(n for n in os.listdir(folder) if n.startswith("shard-") and n.endswith(".npy"))
    return rows_of(folder, names)


def indexed_rows(folder):
    with open(os.path.join(folder, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    pixels, sources = rows_of(folder, [s["file"] for s in index["shards"]])
    check(index["images"] == len(sources), f"index says {index['images']} images, shards hold {len(sources)}")
    return index, pixels, sources


def rejected_sources(folder):
    """Every source with a rejection record (rejected.jsonl and part-*.rejected.jsonl), with repeats."""
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith("rejected.jsonl"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                out += [json.loads(line)["source"] for line in f]
    return out
