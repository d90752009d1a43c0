r"""Read tiffshard's shards as one memory-mapped dataset. NumPy only.

    import tiffshard
    ds = tiffshard.open("shards/")          # every shard of the folder, in publication order
    len(ds), ds.shape, ds.dtype             # shape/dtype: when all rows share one format
    image = ds[0]                           # (H, W) or (H, W, 3): a view into the memory map
    ds.records[0]["source"]                 # its manifest line, as a dict
    big = ds.where(lambda r: r["width"] >= 1024)   # a view (no copy)
    batch = ds[100:164].numpy()             # a slice is a view too; .numpy() stacks it

    for image in tiffshard.open("shards/", follow=True, timeout=60):
        ...                                 # also waits for shards the daemon publishes

Order: with an `index.json` in the folder (`tiffshard index`, partitioned stores), the order
of its `shards` list. Otherwise shard files sorted by name: by prefix (``cam1-`` for a daemon
instance, ``part-0003-of-0016.`` for a partition), then sequence number; a plain
single-writer store is simply in publication order.

Source names that are not valid UTF-8 are written in manifests as ``\udcXX`` escapes; they
come back as ``str`` with lone surrogates (Python's ``surrogateescape``):
``os.fsencode(record["source"])`` gives the original bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._dataset import Dataset, Records
from ._store import SHARD_NAME, Shard, ShardError, Store
from ._version import __version__

__all__ = ["open", "Dataset", "Records", "Shard", "ShardError", "SHARD_NAME", "__version__"]


def open(folder: str | os.PathLike, follow: bool = False, timeout: float | None = None,
         poll_interval: float = 0.25) -> Dataset:
    """Open the shards in `folder` as one `Dataset` (memory-mapped, nothing copied).

    follow: iteration does not end at the last published row but waits for the next shard
        (a live store fed by `tiffshard run`). A shard counts once its ``.npy`` exists: the
        daemon renames the manifest into place first and the ``.npy`` last, both atomically,
        and hidden temporary files are never looked at.
    timeout: with follow, iteration ends after this many seconds without a new shard once it
        has caught up; None waits forever.
    poll_interval: seconds between looks at the folder while waiting.

    Raises FileNotFoundError if `folder` is not a directory, `ShardError` (a ValueError) for a
    file that is not what tiffshard publishes.
    """
    return Dataset(Store(Path(folder), follow=follow, timeout=timeout, poll_interval=poll_interval))
