"""Shared fixtures: this checkout's reader, the debug binary, stores it really converted."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
# The reader under test is this checkout's, whatever `pip install -e` points at on a shared
# machine (test_install.py checks the package installs with pip).
sys.path.insert(0, str(REPO / "python" / "src"))


def binary_path() -> Path:
    return Path(os.environ.get("TIFFSHARD_BINARY", REPO / ".build" / "debug" / "tiffshard"))


@pytest.fixture(scope="session")
def binary() -> Path:
    path = binary_path()
    if not path.is_file():
        pytest.skip(f"{path} not built (swift build)")
    return path


def write_tiffs(folder: Path, count: int, seed: int = 0, name=lambda i: f"img-{i:03d}.tif") -> list:
    """`count` gray 8-bit TIFFs of assorted sizes; returns the names (str or bytes) written."""
    import tifffile
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    names = []
    for i in range(count):
        n = name(i)
        buffer = io.BytesIO()  # tifffile wants str names; the file's may be bytes
        tifffile.imwrite(buffer, rng.integers(0, 256, size=(20 + 3 * i, 30 + 2 * i), dtype=np.uint8))
        with open(os.path.join(os.fsencode(folder), os.fsencode(n)), "wb") as f:
            f.write(buffer.getvalue())
        names.append(n)
    return names


def convert(binary: Path, src: Path, out: Path, *args: str) -> None:
    r = subprocess.run([str(binary), "convert", str(src), str(out), "--no-progress", "--workers", "2", *args],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"convert {' '.join(args)}: exit {r.returncode}: {r.stderr[-2000:]}"


def direct_rows(out: Path) -> list[tuple[str, np.ndarray]]:
    """(source, image) of every row, by plain np.load + json, shard files in name order."""
    import json
    rows = []
    for npy in sorted(out.glob("*shard-*.npy")):
        a = np.load(npy)
        lines = npy.with_suffix(".jsonl").read_bytes().decode("utf-8").splitlines()
        rows += [(json.loads(l)["source"], a[i]) for i, l in enumerate(lines)]
    return rows


@pytest.fixture(scope="session")
def store(binary, tmp_path_factory) -> Path:
    """25 TIFFs (one with a name that is not UTF-8) converted into 3 shards of 32x24 uint8."""
    root = tmp_path_factory.mktemp("store")
    names = write_tiffs(root / "src", 24)
    write_tiffs(root / "src", 1, seed=7, name=lambda i: b"caf\xe9 z.tif")
    convert(binary, root / "src", root / "out", "--width", "32", "--height", "24", "--shard-size", "10")
    assert len(names) == 24
    return root / "out"


def has_flag(binary: Path, flag: str) -> bool:
    r = subprocess.run([str(binary), "convert", "--help"], capture_output=True, text=True, timeout=30)
    return flag in r.stdout
