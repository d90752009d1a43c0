"""The PyTorch adapters, only where torch is installed (it is not a CI requirement)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tiffshard

torch = pytest.importorskip("torch", reason="torch is not installed: tiffshard.torch not tested")
from tiffshard.torch import TorchDataset, TorchStream  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402


def test_map_style_dataset_batches_through_a_dataloader(store: Path):
    ds = tiffshard.open(store)
    batches = list(DataLoader(TorchDataset(ds), batch_size=8, shuffle=False, num_workers=2))
    stacked = torch.cat(batches).numpy()
    assert stacked.shape == (25, 24, 32) and np.array_equal(stacked, ds.numpy())
    item, record = TorchDataset(ds, records=True)[3]
    assert record == ds.records[3] and item.dtype == torch.uint8


def test_stream_splits_rows_among_workers_and_transforms(store: Path):
    ds = tiffshard.open(store)
    stream = TorchStream(ds, transform=lambda a: torch.from_numpy(a.astype(np.float32) / 255))
    items = list(DataLoader(stream, batch_size=None, num_workers=2))
    assert len(items) == 25
    got = sorted(round(float(t.sum()), 3) for t in items)
    want = sorted(round(float((ds[i].astype(np.float32) / 255).sum()), 3) for i in range(25))
    assert got == want
