"""Behaviour of the benchmark's own parts (no timings): python3 -m pytest bench/tests"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
import tifffile

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)

import make_corpus  # noqa: E402
from benchkit import tiffshard  # noqa: E402
from benchkit.measure import become_subreaper, run_measured  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    directory = str(tmp_path_factory.mktemp("corpus"))
    make_corpus.make_corpus(directory, 20, seed=7, processes=2)
    return directory


def test_corpus_is_deterministic_and_prefix_stable(corpus, tmp_path):
    make_corpus.make_corpus(str(tmp_path), 12, seed=7, processes=1)
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 12
    match, mismatch, errors = filecmp.cmpfiles(corpus, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == []


def test_other_seed_gives_other_pixels(corpus, tmp_path):
    make_corpus.make_corpus(str(tmp_path), 1, seed=8, processes=1)
    ours = tifffile.imread(os.path.join(corpus, "img-000000.tif"))
    theirs = tifffile.imread(os.path.join(tmp_path, "img-000000.tif"))
    assert ours.shape != theirs.shape or not np.array_equal(ours, theirs)


def test_corpus_cycles_through_every_kind(corpus):
    for index in range(10):
        with tifffile.TiffFile(os.path.join(corpus, make_corpus.file_name(index))) as tiff:
            page = tiff.pages[0]
            kind = make_corpus.KINDS[index]
            assert 512 <= page.imagewidth <= 1024 and 512 <= page.imagelength <= 1024
            assert (len(tiff.pages) == 3) == (kind == "gray8-multipage")
            assert tiff.is_bigtiff == (kind == "gray8-bigtiff")
            assert page.is_tiled == (kind == "gray8-tiled")
            assert (page.bitspersample == 16) == (kind == "gray16")
            assert (page.samplesperpixel == 3) == (kind == "rgb8")
            assert (page.predictor == 2) == (kind == "gray8-lzw-predictor")


def test_baseline_rows_are_imread_grayscale_then_resize(corpus, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, os.path.join(BENCH, "baseline.py"), corpus, str(out),
                             "--width", "32", "--height", "24", "--workers", "2"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "unreadable 0" in result.stderr
    rows = np.load(out / "baseline.npy")
    files = sorted(os.path.join(corpus, n) for n in os.listdir(corpus))
    assert rows.shape == (len(files), 24, 32)
    for row, path in zip(rows, files):
        expected = cv2.resize(cv2.imread(path, cv2.IMREAD_GRAYSCALE), (32, 24))
        assert np.array_equal(row, expected), path


def test_shard_comparison_matches_rows_by_source(tmp_path):
    baseline = np.arange(3 * 2 * 2, dtype=np.uint8).reshape(3, 2, 2)
    np.save(tmp_path / "baseline.npy", baseline)
    out = tmp_path / "shards"
    out.mkdir()
    shard = np.stack([baseline[2], baseline[0] + 1])
    np.save(out / "shard-00000000.npy", shard)
    (out / "shard-00000000.jsonl").write_text('{"row": 0, "source": "c.tif"}\n{"row": 1, "source": "a.tif"}\n')
    result = tiffshard.compare_with_baseline(str(tmp_path / "baseline.npy"), ["a.tif", "b.tif", "c.tif"], str(out))
    assert result["compared"] == 2 and result["identical"] == 1 and result["max_abs_diff"] == 1
    assert not result["same_order"]


def test_summary_line_is_parsed():
    line = "converted 1000 images into 1 shards in 2.3 s (434.8 img/s); rejected 0"
    assert tiffshard.parse_summary(line) == {"images": 1000, "shards": 1, "seconds": 2.3, "rejected": 0}


def test_orphaned_workers_cpu_is_counted():
    become_subreaper()
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    m = run_measured(["sh", "-c", f"(python3 -c '{burn}' &); exit 0"])
    assert m.returncode == 0 and m.killed_stragglers == 0
    assert m.cpu_s >= 0.3


def test_shared_memory_is_counted_once_in_pss():
    script = (
        "import os, numpy as np\n"
        "from multiprocessing import shared_memory\n"
        "size = 128 << 20\n"
        "shm = shared_memory.SharedMemory(create=True, size=size)\n"
        "np.ndarray(size, np.uint8, buffer=shm.buf)[:] = 1\n"
        "r, w = os.pipe()\n"
        "children = []\n"
        "for _ in range(3):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        np.ndarray(size, np.uint8, buffer=shm.buf).sum(); os.close(w); os.read(r, 1); os._exit(0)\n"
        "    children.append(pid)\n"
        "import time; time.sleep(0.5); os.close(w)\n"
        "for pid in children: os.waitpid(pid, 0)\n"
        "shm.close(); shm.unlink()\n"
    )
    m = run_measured([sys.executable, "-c", script], interval=0.01)
    assert m.returncode == 0, m.stderr
    assert m.peak_processes >= 4
    assert 128 <= m.peak_pss_mib < 2 * 128  # the segment once, plus interpreters
    assert m.peak_rss_mib >= 4 * 128  # every process's mapping counted in full
