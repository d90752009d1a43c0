"""Shards of other dtypes and colours, and folders mixing them.

The real-binary test needs `tiffshard convert --dtype/--color` (the output-modes branch); without
them it skips and says so. The synthetic one writes shards as tiffshard's format describes them
(NPY v1.0, C order, manifest line per row), so the reader's side is checked either way.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tiffshard
from conftest import convert, direct_rows, has_flag, write_tiffs

FORMATS = [((24, 32), np.uint8), ((24, 32), np.uint16), ((24, 32), np.float32), ((24, 32, 3), np.uint8)]


def write_shard(folder: Path, stem: str, array: np.ndarray, first: int) -> None:
    np.save(folder / f"{stem}.npy", array)
    lines = [json.dumps({"row": i, "source": f"s{first + i}.tif", "dtype": array.dtype.name,
                         "color": "rgb" if array.ndim == 4 else "gray"}) for i in range(len(array))]
    (folder / f"{stem}.jsonl").write_text("\n".join(lines) + "\n")


def test_a_folder_of_mixed_formats_is_one_dataset_with_per_image_shapes(tmp_path: Path):
    rng = np.random.default_rng(1)
    arrays = []
    for k, (shape, dtype) in enumerate(FORMATS):
        a = (rng.random((3 + k,) + shape) * 1000).astype(dtype)
        write_shard(tmp_path, f"shard-{k:08d}", a, sum(len(x) for x in arrays))
        arrays.append(a)
    ds = tiffshard.open(tmp_path)
    assert len(ds) == sum(len(a) for a in arrays)
    assert ds.formats == [(s, np.dtype(d)) for s, d in FORMATS]
    with pytest.raises(ValueError, match="several formats"):
        ds.shape
    with pytest.raises(ValueError, match="several formats"):
        ds.dtype
    with pytest.raises(ValueError):
        ds.numpy()
    flat = [row for a in arrays for row in a]
    for i, row in enumerate(flat):
        assert ds[i].dtype == row.dtype and ds[i].shape == row.shape and np.array_equal(ds[i], row)
    rgb = ds.where(lambda r: r["color"] == "rgb")
    assert rgb.shape == (6, 24, 32, 3) and rgb.dtype == np.uint8
    assert np.array_equal(rgb.numpy(), arrays[3])
    floats = ds.where(lambda r: r["dtype"] == "float32")
    assert floats.dtype == np.float32 and np.array_equal(floats.numpy(), arrays[2])
    assert ds[3:6].dtype == np.uint16  # a slice inside one shard is uniform


@pytest.fixture(scope="module")
def binary_with_modes(binary: Path) -> Path:
    if not has_flag(binary, "--dtype"):
        pytest.skip("`tiffshard convert --help` has no --dtype in this build (output modes not merged): "
                    "uint16/float32/rgb shards from the real binary are not tested")
    return binary


@pytest.mark.parametrize("args, shape, dtype", [
    (["--dtype", "uint16"], (24, 32), np.uint16),
    (["--dtype", "float32"], (24, 32), np.float32),
    (["--color", "rgb"], (24, 32, 3), np.uint8),
    (["--dtype", "uint16", "--color", "rgb"], (24, 32, 3), np.uint16),
])
def test_real_shards_of_each_format(binary_with_modes: Path, tmp_path: Path, args, shape, dtype):
    write_tiffs(tmp_path / "src", 12)
    convert(binary_with_modes, tmp_path / "src", tmp_path / "out", "--width", "32", "--height", "24",
            "--shard-size", "5", *args)
    ds = tiffshard.open(tmp_path / "out")
    assert ds.shape == (12,) + shape and ds.dtype == dtype
    expected = direct_rows(tmp_path / "out")
    assert [r["source"] for r in ds.records] == [s for s, _ in expected]
    assert all(np.array_equal(ds[i], image) for i, (_, image) in enumerate(expected))
    if "dtype" in ds.records[0]:
        assert ds.records[0]["dtype"] == np.dtype(dtype).name


def test_real_runs_of_several_formats_into_one_folder(binary_with_modes: Path, tmp_path: Path):
    write_tiffs(tmp_path / "src", 6)
    out = tmp_path / "out"
    runs = [[], ["--dtype", "uint16"], ["--dtype", "float32"], ["--color", "rgb"]]
    for args in runs:  # a second run into the same OUT continues the numbering
        convert(binary_with_modes, tmp_path / "src", out, "--width", "32", "--height", "24", *args)
    ds = tiffshard.open(out)
    assert len(ds) == 24
    assert [f for f in ds.formats] == [(s, np.dtype(d)) for s, d in FORMATS]
    with pytest.raises(ValueError):
        ds.shape
    expected = direct_rows(out)
    assert all(np.array_equal(ds[i], image) and ds[i].dtype == image.dtype
               for i, (_, image) in enumerate(expected))
    assert ds[6:12].dtype == np.uint16 and ds[18:24].shape == (6, 24, 32, 3)
