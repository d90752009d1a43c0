"""`Dataset`: every row of a folder's shards as one sequence of images, and views of it."""

from __future__ import annotations

from typing import Callable, Iterator, Sequence, Union

import numpy as np

from ._store import Shard, Store

Positions = Union[range, np.ndarray]


class Dataset:
    """The images of a tiffshard store, memory-mapped, in global order (see `tiffshard.open`).

    `ds[i]` is image i (a read-only view into its shard's memory map: no copy, nothing read
    until used). `ds[a:b]`, `ds[[i, j]]`, `ds[mask]` and `ds.where(...)` are views: datasets of
    the selected rows, again without copying; `np.asarray(view)` (or `view.numpy()`) stacks
    them into one array. `ds.records[i]` is image i's manifest line as a dict.

    A dataset opened with `follow=True` grows: iterating it waits for shards the daemon
    publishes; `len()` is the number of rows known so far. Views are fixed selections.
    """

    def __init__(self, store: Store, positions: Positions | None = None):
        self._store = store
        self._positions = positions  # None: every row of the store, however many there are now

    # -- sizes and formats ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self._store.total if self._positions is None else len(self._positions)

    @property
    def following(self) -> bool:
        """Whether iteration waits for new shards (opened with follow=True, not a view)."""
        return self._store.follow and self._positions is None

    @property
    def shards(self) -> list[Shard]:
        """The shards holding this dataset's rows, in global order."""
        if self._positions is None:
            return list(self._store.shards)
        used = np.unique(self._shard_numbers(self._global_array()))
        return [self._store.shards[s] for s in used]

    @property
    def formats(self) -> list[tuple[tuple[int, ...], np.dtype]]:
        """Distinct (image shape, dtype) pairs of the rows, in order of first appearance."""
        seen: dict = {}
        for shard in self.shards:
            seen.setdefault((shard.image_shape, shard.dtype), None)
        return list(seen)

    @property
    def shape(self) -> tuple[int, ...]:
        """(len, H, W) or (len, H, W, 3) when every row has the same shape and dtype."""
        return (len(self),) + self._uniform()[0]

    @property
    def dtype(self) -> np.dtype:
        """uint8, uint16 or float32, when every row has the same shape and dtype."""
        return self._uniform()[1]

    def _uniform(self) -> tuple[tuple[int, ...], np.dtype]:
        formats = self.formats
        if len(formats) != 1:
            what = "no rows" if not formats else "rows of several formats: " + ", ".join(
                f"{s} {d}" for s, d in formats)
            raise ValueError(f"dataset has {what}; ds[i].shape and ds[i].dtype are per image "
                             "(ds.formats lists them, ds.where(...) selects one)")
        return formats[0]

    # -- rows ----------------------------------------------------------------------------------

    def _global(self, i: int) -> int:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"index {i} out of range for a dataset of {n} images")
        return i if self._positions is None else int(self._positions[i])

    def _global_array(self) -> np.ndarray:
        if self._positions is None:
            return np.arange(self._store.total, dtype=np.int64)
        return np.asarray(self._positions, dtype=np.int64)

    def _shard_numbers(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.asarray(self._store.starts, dtype=np.int64), positions, side="right") - 1

    def locate(self, i: int) -> tuple[Shard, int]:
        """(shard, row in that shard) of image i."""
        return self._store.locate(self._global(i))

    def image(self, i: int) -> np.ndarray:
        """Image i: shape (H, W) or (H, W, 3), a read-only view of the memory-mapped shard."""
        shard, row = self.locate(i)
        return shard.array()[row]

    def record(self, i: int) -> dict:
        """Image i's manifest line."""
        shard, row = self.locate(i)
        return shard.records()[row]

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self.image(int(key))
        if isinstance(key, slice):
            base = range(len(self)) if self._positions is None else self._positions
            return Dataset(self._store, base[key])
        selection = np.asarray(key)
        if selection.size == 0:
            selection = selection.astype(np.int64)  # [] is an empty selection, not floats
        if selection.dtype == bool:
            if selection.shape != (len(self),):
                raise IndexError(f"boolean index of shape {selection.shape} for {len(self)} images")
            selection = np.flatnonzero(selection)
        elif selection.dtype.kind not in "iu" or selection.ndim != 1:
            raise TypeError(f"index with an int, a slice, a sequence of ints or a boolean mask, not {key!r}")
        n = len(self)
        selection = np.where(selection < 0, selection + n, selection).astype(np.int64)
        if selection.size and (selection.min() < 0 or selection.max() >= n):
            raise IndexError(f"index out of range for a dataset of {n} images")
        if self._positions is None:
            return Dataset(self._store, selection)
        return Dataset(self._store, np.asarray(self._positions, dtype=np.int64)[selection])

    @property
    def records(self) -> "Records":
        """The manifest lines: `ds.records[i]` is a dict, `ds.records[a:b]` a list of them."""
        return Records(self)

    def where(self, predicate: Callable[[dict], bool]) -> "Dataset":
        """A view of the rows whose manifest line satisfies `predicate(record)`.

        `ds.where(lambda r: r["width"] >= 1024)`, `ds.where(lambda r: r["source"].startswith("cam1/"))`.
        For a following dataset, it selects among the rows known now.
        """
        keep = [i for i, record in enumerate(self.records) if predicate(record)]
        return self[np.asarray(keep, dtype=np.int64)]

    # -- iteration -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[np.ndarray]:
        for shard, row in self.locations():
            yield shard.array()[row]

    def items(self, start: int = 0) -> Iterator[tuple[np.ndarray, dict]]:
        """(image, record) pairs from row `start` on; follows like iteration does."""
        for shard, row in self.locations(start):
            yield shard.array()[row], shard.records()[row]

    def locations(self, start: int = 0) -> Iterator[tuple[Shard, int]]:
        """(shard, row in that shard) of each image from `start` on; follows like iteration does."""
        i = start
        while True:
            n = len(self)
            while i < n:
                yield self.locate(i)
                i += 1
            if not self.following or not self._store.wait_for_more(n):
                return

    def refresh(self) -> int:
        """Look for shards published since (a following dataset); returns the rows added."""
        return self._store.refresh() if self._positions is None else 0

    # -- copies --------------------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """All rows stacked into one new array (a copy); needs uniform rows (see `shape`)."""
        image_shape, dtype = self._uniform() if len(self) else ((), np.dtype(np.uint8))
        out = np.empty((len(self),) + image_shape, dtype=dtype)
        positions = self._global_array()
        numbers = self._shard_numbers(positions)
        for s in np.unique(numbers):
            chosen = np.flatnonzero(numbers == s)
            rows = positions[chosen] - self._store.starts[s]
            out[chosen] = self._store.shards[s].array()[rows]
        return out

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __repr__(self) -> str:
        formats = ", ".join(f"{s} {d}" for s, d in self.formats) or "empty"
        kind = "following " if self.following else ("view of " if self._positions is not None else "")
        return (f"<tiffshard.Dataset {kind}{str(self._store.folder)!r}: {len(self)} images "
                f"in {len(self.shards)} shards, {formats}>")


class Records(Sequence):
    """The manifest lines of a dataset's rows (a read-only sequence of dicts)."""

    def __init__(self, dataset: Dataset):
        self._dataset = dataset

    def __len__(self) -> int:
        return len(self._dataset)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self._dataset.record(i) for i in range(len(self))[key]]
        return self._dataset.record(int(key))

    def __iter__(self) -> Iterator[dict]:
        # Shard by shard: one manifest read per shard, not one locate per row.
        d = self._dataset
        if d._positions is None:
            for shard in list(d._store.shards):
                yield from shard.records()
            return
        positions = d._global_array()
        for p in positions:
            shard, row = d._store.locate(int(p))
            yield shard.records()[row]
