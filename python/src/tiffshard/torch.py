"""PyTorch adapters (only when torch is installed: `import tiffshard.torch`).

    from torch.utils.data import DataLoader
    from tiffshard.torch import TorchDataset, TorchStream

    loader = DataLoader(TorchDataset(tiffshard.open("shards/")), batch_size=64, shuffle=True,
                        num_workers=4)
    live = DataLoader(TorchStream(tiffshard.open("shards/", follow=True)), batch_size=64,
                      num_workers=2)   # each row to one worker

Each item is a new, writable tensor (the shard stays memory-mapped and is never modified); with
`transform`, the item is `transform(array)` of a writable NumPy copy instead. `records=True`
gives `(item, record)` pairs (batch them with a `collate_fn` of your own: records are dicts).
Datasets pickle without their memory maps, so DataLoader workers map the shards themselves.
"""

from __future__ import annotations

import zlib
from typing import Callable, Optional

import numpy as np
import torch
from torch.utils.data import Dataset as _MapDataset
from torch.utils.data import IterableDataset, get_worker_info

from ._dataset import Dataset

__all__ = ["TorchDataset", "TorchStream"]


def _item(image: np.ndarray, transform: Optional[Callable]):
    array = np.array(image)  # copy out of the read-only memory map
    return transform(array) if transform is not None else torch.from_numpy(array)


class TorchDataset(_MapDataset):
    """Map-style dataset over a `tiffshard.Dataset` (or a view of one): len and [i]."""

    def __init__(self, dataset: Dataset, transform: Optional[Callable] = None, records: bool = False):
        self.dataset, self.transform, self.records = dataset, transform, records

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int):
        item = _item(self.dataset[i], self.transform)
        return (item, self.dataset.records[i]) if self.records else item


class TorchStream(IterableDataset):
    """Iterable dataset: every row in order, following new shards if the dataset follows.

    With n DataLoader workers, each takes every n-th row of each shard (rotated by a checksum of
    the shard's name): every row goes to exactly one worker even when the workers discover the
    shards of several writers in different orders.
    """

    def __init__(self, dataset: Dataset, transform: Optional[Callable] = None, records: bool = False):
        self.dataset, self.transform, self.records = dataset, transform, records

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        for shard, row in self.dataset.locations():
            if (row + zlib.crc32(shard.name.encode())) % workers == worker:
                item = _item(shard.array()[row], self.transform)
                yield (item, shard.records()[row]) if self.records else item
