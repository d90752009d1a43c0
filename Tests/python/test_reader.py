"""tiffshard.open over real `tiffshard convert` output: order, images, records, views, copies."""
from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import tiffshard
from conftest import direct_rows


def test_dataset_is_every_row_of_every_shard_in_publication_order(store: Path):
    ds = tiffshard.open(store)
    expected = direct_rows(store)
    assert len(ds) == len(expected) == 25
    assert [s.name for s in ds.shards] == ["shard-00000000.npy", "shard-00000001.npy", "shard-00000002.npy"]
    assert ds.shape == (25, 24, 32) and ds.dtype == np.uint8
    for i, (source, image) in enumerate(expected):
        assert ds.records[i]["source"] == source
        assert np.array_equal(ds[i], image)
    # convert takes files in sorted byte order: "caf\xe9 z.tif" sorts after "img-…"
    assert [r["source"] for r in ds.records] == sorted((r["source"] for r in ds.records), key=os.fsencode)


def test_images_are_read_only_views_of_the_memory_map(store: Path):
    ds = tiffshard.open(store)
    image = ds[12]
    shard, row = ds.locate(12)
    assert (shard.name, row) == ("shard-00000001.npy", 2)
    assert isinstance(shard.array(), np.memmap)
    assert np.shares_memory(image, shard.array())
    assert not image.flags.writeable
    assert image.shape == (24, 32)


def test_negative_and_out_of_range_indices(store: Path):
    ds = tiffshard.open(store)
    assert np.array_equal(ds[-1], ds[24])
    with pytest.raises(IndexError):
        ds[25]
    with pytest.raises(IndexError):
        ds[-26]


def test_records_are_the_manifest_lines_and_names_that_are_not_utf8_round_trip(store: Path):
    ds = tiffshard.open(store)
    lines = [json.loads(l) for n in sorted(store.glob("shard-*.jsonl")) for l in n.read_text().splitlines()]
    assert list(ds.records) == lines
    assert ds.records[3:5] == lines[3:5]
    odd = [r for r in ds.records if "\udce9" in r["source"]]
    assert len(odd) == 1
    assert os.fsencode(odd[0]["source"]) == b"caf\xe9 z.tif"
    assert os.path.exists(os.path.join(os.fsencode(store.parent / "src"), os.fsencode(odd[0]["source"])))
    assert {"row", "source", "bytes", "mtime_ns", "width", "height"} <= set(lines[0])


def test_slices_masks_and_index_lists_are_views_and_stack_on_demand(store: Path):
    ds = tiffshard.open(store)
    everything = np.stack([image for _, image in direct_rows(store)])
    view = ds[5:15]
    assert isinstance(view, tiffshard.Dataset) and len(view) == 10
    assert [s.name for s in view.shards] == ["shard-00000000.npy", "shard-00000001.npy"]
    assert view.shape == (10, 24, 32)
    assert np.array_equal(np.asarray(view), everything[5:15])
    assert np.array_equal(view.numpy(), everything[5:15])
    assert np.array_equal(ds[::-3].numpy(), everything[::-3])
    assert np.array_equal(ds[[24, 0, 13]].numpy(), everything[[24, 0, 13]])
    mask = np.zeros(25, dtype=bool)
    mask[[1, 11, 21]] = True
    assert np.array_equal(ds[mask].numpy(), everything[mask])
    nested = ds[5:15][2:8:2]
    assert np.array_equal(nested.numpy(), everything[5:15][2:8:2])
    assert nested.records[0] == ds.records[7]
    assert np.array_equal(view[-1], everything[14])
    assert len(ds[[]]) == 0 and ds[[]].numpy().shape == (0,)


def test_where_selects_rows_by_manifest_fields(store: Path):
    ds = tiffshard.open(store)
    wide = ds.where(lambda r: r["width"] >= 60)
    expected = [i for i, r in enumerate(ds.records) if r["width"] >= 60]
    assert expected and len(wide) == len(expected)
    assert [r["source"] for r in wide.records] == [ds.records[i]["source"] for i in expected]
    assert np.array_equal(wide.numpy(), ds[expected].numpy())
    assert len(ds.where(lambda r: False)) == 0


def test_iteration_and_items_yield_every_row_once(store: Path):
    ds = tiffshard.open(store)
    images = list(ds)
    assert len(images) == 25 and all(np.array_equal(a, ds[i]) for i, a in enumerate(images))
    pairs = list(ds.items(start=20))
    assert [r["row"] for _, r in pairs] == [0, 1, 2, 3, 4]
    assert all(np.array_equal(a, ds[20 + i]) for i, (a, _) in enumerate(pairs))


def test_datasets_pickle_without_their_data(store: Path):
    ds = tiffshard.open(store)
    ds[0]  # maps shard 0
    blob = pickle.dumps(ds[3:20])
    assert len(blob) < 10_000
    again = pickle.loads(blob)
    assert np.array_equal(again.numpy(), ds[3:20].numpy())


def copy_shard(src: Path, stem: str, dest: Path, new_stem: str) -> None:
    for ext in (".npy", ".jsonl"):
        shutil.copy(src / f"{stem}{ext}", dest / f"{new_stem}{ext}")


def test_instance_and_partition_prefixes_sort_by_prefix_then_number(store: Path, tmp_path: Path):
    copy_shard(store, "shard-00000001", tmp_path, "part-0001-of-0002.shard-00000000")
    copy_shard(store, "shard-00000000", tmp_path, "part-0000-of-0002.shard-00000001")
    copy_shard(store, "shard-00000002", tmp_path, "part-0000-of-0002.shard-00000000")
    copy_shard(store, "shard-00000000", tmp_path, "part-0000-of-0002.shard-100000000")  # 9 digits
    # What a reader must not take: the daemon's hidden temp files, a manifest without its .npy.
    shutil.copy(store / "shard-00000001.npy", tmp_path / ".part-0000-of-0002.shard-00000002.npy.tmp")
    shutil.copy(store / "shard-00000001.jsonl", tmp_path / "part-0000-of-0002.shard-00000003.jsonl")
    ds = tiffshard.open(tmp_path)
    assert [s.name for s in ds.shards] == [
        "part-0000-of-0002.shard-00000000.npy", "part-0000-of-0002.shard-00000001.npy",
        "part-0000-of-0002.shard-100000000.npy", "part-0001-of-0002.shard-00000000.npy"]
    assert len(ds) == 5 + 10 + 10 + 10


def test_index_json_gives_the_global_order(store: Path, tmp_path: Path):
    for stem in ("shard-00000000", "shard-00000001", "shard-00000002"):
        copy_shard(store, stem, tmp_path, stem)
    order = ["shard-00000002.npy", "shard-00000000.npy"]  # shard 1 is not in this dataset
    (tmp_path / "index.json").write_text(json.dumps(
        {"shards": [{"file": f, "rows": r} for f, r in zip(order, (5, 10))], "complete": True}))
    ds = tiffshard.open(tmp_path)
    assert [s.name for s in ds.shards] == order
    direct = tiffshard.open(store)
    assert np.array_equal(ds.numpy(), np.concatenate([direct[20:25].numpy(), direct[0:10].numpy()]))

    (tmp_path / "index.json").write_text(json.dumps({"shards": [{"file": "shard-00000002.npy", "rows": 7}]}))
    with pytest.raises(tiffshard.ShardError, match="7"):
        tiffshard.open(tmp_path)
    (tmp_path / "index.json").write_text(json.dumps({"shards": [{"file": "shard-00000009.npy", "rows": 1}]}))
    with pytest.raises(FileNotFoundError, match="shard-00000009.npy"):
        tiffshard.open(tmp_path)


def test_empty_and_missing_folders(tmp_path: Path):
    ds = tiffshard.open(tmp_path)
    assert len(ds) == 0 and list(ds) == []
    with pytest.raises(ValueError, match="no rows"):
        ds.shape
    with pytest.raises(FileNotFoundError):
        tiffshard.open(tmp_path / "nope")


def test_a_manifest_that_does_not_match_its_shard_is_reported(store: Path, tmp_path: Path):
    copy_shard(store, "shard-00000002", tmp_path, "shard-00000000")
    lines = (tmp_path / "shard-00000000.jsonl").read_text().splitlines()
    (tmp_path / "shard-00000000.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    ds = tiffshard.open(tmp_path)
    assert np.array_equal(ds[4], tiffshard.open(store)[24])  # images need no manifest
    with pytest.raises(tiffshard.ShardError, match="4 lines for 5 rows"):
        ds.records[0]
