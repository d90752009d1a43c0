"""Which shards a folder holds, in which order, and what each one is (its .npy header)."""

from __future__ import annotations

import json
import os
import re
import time
from bisect import bisect_right
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

# `shard-00000000.npy`, `cam1-shard-00000000.npy` (daemon instance),
# `part-0003-of-0016.shard-00000000.npy` (partitioned convert). Hidden names (the daemon's
# `.shard-….npy.tmp` while it writes) never match.
SHARD_NAME = re.compile(r"^(?P<prefix>(?:[A-Za-z0-9_][A-Za-z0-9_.-]*[-.])?)shard-(?P<seq>[0-9]{8,})\.npy$")
INDEX = "index.json"


class ShardError(ValueError):
    """A shard, manifest or index.json that is not what tiffshard writes (the message says where)."""


def shard_order(name: str) -> tuple[str, int]:
    """Sort key of a shard file name: its prefix, then its sequence number as a number."""
    m = SHARD_NAME.match(name)
    return (m["prefix"], int(m["seq"])) if m else (name, -1)


def shard_names(folder: Path) -> list[str]:
    """The published shards' .npy names in `folder`, in publication order per prefix."""
    with os.scandir(folder) as entries:
        names = [e.name for e in entries if SHARD_NAME.match(e.name)]
    return sorted(names, key=shard_order)


def index_entries(folder: Path) -> list[dict] | None:
    """`index.json`'s `shards` list (global order), or None when the folder has no index."""
    path = folder / INDEX
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        entries = json.loads(text)["shards"]
        if not all(isinstance(e, dict) and isinstance(e.get("file"), str) for e in entries):
            raise TypeError("an entry without a \"file\"")
    except (ValueError, KeyError, TypeError) as e:
        raise ShardError(f"{path}: not a tiffshard index ({e})") from None
    return entries


class Shard:
    """One published shard: its `.npy` (memory-mapped on first use) and its `.jsonl` manifest."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        with open(path, "rb") as f:
            try:
                version = npy_format.read_magic(f)
                reader = {(1, 0): npy_format.read_array_header_1_0,
                          (2, 0): npy_format.read_array_header_2_0}[version]
                shape, fortran, dtype = reader(f)
            except (ValueError, KeyError) as e:
                raise ShardError(f"{path}: not an .npy file ({e})") from None
        if fortran or len(shape) not in (3, 4) or (len(shape) == 4 and shape[3] != 3):
            raise ShardError(f"{path}: shape {shape}{' (Fortran order)' if fortran else ''} is not "
                             "(N, H, W) or (N, H, W, 3) in C order")
        self.rows = shape[0]
        self.image_shape = tuple(shape[1:])
        self.dtype = np.dtype(dtype)
        self._array = None
        self._records = None

    @property
    def manifest_path(self) -> Path:
        return self.path.with_suffix(".jsonl")

    def array(self) -> np.ndarray:
        """The whole shard, memory-mapped read-only (`np.load(mmap_mode="r")`): no copy."""
        if self._array is None:
            self._array = np.load(self.path, mmap_mode="r")
        return self._array

    def records(self) -> list[dict]:
        """The manifest lines, as dicts, in row order (read once)."""
        if self._records is None:
            with open(self.manifest_path, "rb") as f:
                # JSON text is UTF-8; names that were not are \\udcXX escapes, which json keeps as
                # lone surrogates: os.fsencode(record["source"]) gives the original bytes.
                records = [json.loads(line.decode("utf-8", "surrogateescape"))
                           for line in f if line.strip()]
            if len(records) != self.rows:
                raise ShardError(f"{self.manifest_path}: {len(records)} lines for {self.rows} rows")
            for i, r in enumerate(records):
                if r.get("row") != i:
                    raise ShardError(f"{self.manifest_path}: line {i + 1} has row {r.get('row')!r}")
            self._records = records
        return self._records

    def __getstate__(self):  # pickled (DataLoader workers): map again there, never copy the data
        return {**self.__dict__, "_array": None}

    def __repr__(self) -> str:
        return f"Shard({self.name!r}, rows={self.rows}, image_shape={self.image_shape}, dtype={self.dtype})"


class Store:
    """The shards of one folder, in global order, with their first global row numbers.

    Append-only: `refresh()` adds shards published since (following a live store), never
    reorders, so a row number, once given, keeps its image.
    """

    def __init__(self, folder: Path, follow: bool, timeout: float | None, poll_interval: float):
        self.folder = folder
        if not folder.is_dir():
            raise FileNotFoundError(f"no such directory: {folder}")
        self.follow, self.timeout, self.poll_interval = follow, timeout, poll_interval
        self.indexed = index_entries(folder) is not None
        self.shards: list[Shard] = []
        self.starts: list[int] = []
        self.total = 0
        self._seen: set[str] = set()
        self._listed = 0  # index entries taken so far
        self.refresh()

    def _append(self, shard: Shard) -> None:
        self._seen.add(shard.name)
        if shard.rows == 0:
            return
        self.shards.append(shard)
        self.starts.append(self.total)
        self.total += shard.rows

    def refresh(self) -> int:
        """Take in shards published since the last look; returns how many rows were added."""
        before = self.total
        if self.indexed:
            entries = index_entries(self.folder) or []
            for entry in entries[self._listed:]:
                path = self.folder / entry["file"]
                if not path.exists():
                    if self.follow:
                        break  # listed before it is visible here: wait, keeping the global order
                    raise FileNotFoundError(f"{self.folder / INDEX} lists {entry['file']}, which does not exist")
                shard = Shard(path)
                if "rows" in entry and entry["rows"] != shard.rows:
                    raise ShardError(f"{self.folder / INDEX}: {entry['file']} has {shard.rows} rows, "
                                     f"the index says {entry['rows']}")
                self._append(shard)
                self._listed += 1
        else:
            for name in shard_names(self.folder):
                if name not in self._seen:
                    self._append(Shard(self.folder / name))
        return self.total - before

    def wait_for_more(self, known: int) -> bool:
        """Block until there are more than `known` rows; False after `timeout` seconds without."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            if self.total > known or self.refresh():
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            pause = self.poll_interval
            if deadline is not None:
                pause = max(0.0, min(pause, deadline - time.monotonic()))
            time.sleep(pause)

    def locate(self, position: int) -> tuple[Shard, int]:
        """(shard, row) of a global row number, 0 <= position < total."""
        s = bisect_right(self.starts, position) - 1
        return self.shards[s], position - self.starts[s]
