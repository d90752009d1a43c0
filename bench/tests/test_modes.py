"""The pieces of the cold, strips, startup and profile modes that can be checked in seconds:
python3 -m pytest bench/tests"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import cv2
import numpy as np
import pytest
import tifffile

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)

import make_strip_corpus  # noqa: E402
from benchkit import bare, cache, convert_bench, daemon_bench, profiling, syscalls, tiffshard  # noqa: E402
from benchkit.measure import run_measured  # noqa: E402


@pytest.fixture(scope="module")
def strip_corpora(tmp_path_factory) -> dict[str, str]:
    """Three 256x256 files per layout, 8 rows per strip."""
    root = tmp_path_factory.mktemp("strips")
    corpora = {}
    for layout in ("raw", "deflate"):
        corpora[layout] = str(root / layout)
        make_strip_corpus.make_strip_corpus(corpora[layout], layout, 3, side=256, rows_per_strip=8, processes=1)
    return corpora


@pytest.fixture(scope="module")
def bare_loop(tmp_path_factory) -> str:
    headers = ("/usr/include/opencv4", "/usr/include/x86_64-linux-gnu/tiffio.h")
    if shutil.which("g++") is None or not all(os.path.exists(h) for h in headers):
        pytest.skip("g++, libtiff-dev or libopencv-dev missing")
    return bare.build(str(tmp_path_factory.mktemp("bin")))


def test_strip_corpus_has_the_requested_layout(strip_corpora):
    for layout, compression in (("raw", 1), ("deflate", 8)):
        for name in sorted(os.listdir(strip_corpora[layout])):
            with tifffile.TiffFile(os.path.join(strip_corpora[layout], name)) as tiff:
                page = tiff.pages[0]
                assert (page.imagewidth, page.imagelength, page.bitspersample) == (256, 256, 8)
                assert page.rowsperstrip == 8 and len(page.dataoffsets) == 256 // 8
                assert page.compression == compression


def test_bare_loop_rows_are_cv2_resize_of_the_whole_image(strip_corpora, bare_loop, tmp_path):
    for layout, src in strip_corpora.items():
        out = tmp_path / f"{layout}.npy"
        result = subprocess.run(bare.command(bare_loop, src, 2, 32, 24, str(out)), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip().endswith("failed 0")
        rows = np.load(out)
        files = sorted(os.path.join(src, n) for n in os.listdir(src))
        assert rows.shape == (3, 24, 32)
        for row, path in zip(rows, files):
            assert np.array_equal(row, cv2.resize(tifffile.imread(path), (32, 24))), path


def _any_tiffshard() -> str | None:
    for flavour in ("release", "debug"):
        binary = os.path.join(REPO, ".build", flavour, "tiffshard")
        if os.access(binary, os.X_OK):
            return binary
    return None


def test_bare_loop_rows_equal_tiffshard_rows(strip_corpora, bare_loop, tmp_path):
    binary = _any_tiffshard()
    if binary is None:
        pytest.skip("no tiffshard build")
    settings = convert_bench.Settings(binary=binary, bare=bare_loop, width=32, height=32, workers=2,
                                      tools=("bare", "tiffshard"), runs_dir=str(tmp_path))
    for layout, src in strip_corpora.items():
        for tool in settings.tools:
            m, problem = convert_bench.run_tool(settings, tool, src, str(tmp_path / f"{tool}-{layout}"), 3)
            assert problem is None, problem
        sources = sorted(os.listdir(src))
        result = tiffshard.compare_with_baseline(str(tmp_path / f"bare-{layout}" / "bare.npy"), sources,
                                                 str(tmp_path / f"tiffshard-{layout}"))
        assert result["compared"] == 3 and result["identical"] == 3, result


def _cached_file(tmp_path, size: int = 4 << 20) -> str:
    path = str(tmp_path / "cached.bin")
    with open(path, "wb") as handle:
        handle.write(os.urandom(size))
    cache.warm([path])
    return path


def test_fadvise_eviction_leaves_no_page_resident(tmp_path):
    path = _cached_file(tmp_path)
    resident, total = cache.resident_pages(path)
    assert total == (4 << 20) // os.sysconf("SC_PAGE_SIZE") and resident == total
    assert cache.evict([path], "fadvise") == 0.0
    assert cache.resident_pages(path) == (0, total)


def test_drop_caches_leaves_no_page_resident(tmp_path):
    if os.geteuid() != 0 or not os.access(cache.DROP_CACHES, os.W_OK):
        pytest.skip("drop_caches needs root and a writable /proc/sys")
    path = _cached_file(tmp_path)
    assert cache.resident_fraction([path]) == 1.0
    assert cache.evict([path], "drop-caches") == 0.0
    assert cache.resident_pages(path)[0] == 0


def test_parallel_read_command_reads_every_file(tmp_path):
    paths = []
    for i in range(20):
        paths.append(str(tmp_path / f"img-{i:06d}.tif"))
        with open(paths[-1], "wb") as handle:
            handle.write(os.urandom(64 << 10))
    cache.evict(paths, "fadvise")
    for parallel in (True, False):
        m = run_measured(convert_bench.read_command(str(tmp_path), parallel))
        assert m.returncode == 0, m.stderr
        assert cache.resident_fraction(paths) == 1.0
        cache.evict(paths, "fadvise")


STRACE_C = """\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 68.27    0.131644       32911         4           futex
 13.44    0.025916          83       309           pread64
  0.00    0.000000           0         1         1 access
------ ----------- ----------- --------- --------- ----------------
100.00    0.157560                   314         1 total
"""


def test_strace_summary_is_parsed():
    assert syscalls.parse(STRACE_C) == {"futex": 4, "pread64": 309, "access": 1, "total": 314}


ANNOTATE = """\
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
63,120,820 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
40,449,592 (64.08%)  ???:0x000000000003c750 [/usr/lib/x86_64-linux-gnu/libtiff.so.6.0.0]
 7,935,809 (12.57%)  ???:libdeflate_deflate_decompress_ex [/usr/lib/x86_64-linux-gnu/libdeflate.so.0]
"""


def test_callgrind_annotate_is_parsed():
    total, rows = profiling.parse_annotate(ANNOTATE)
    assert total == 63_120_820
    assert rows == [(40_449_592, 64.08, "0x000000000003c750 [libtiff]"),
                    (7_935_809, 12.57, "libdeflate_deflate_decompress_ex [libdeflate]")]


FAKE_DAEMON = """#!/usr/bin/env python3
import os, signal, socket, sys, time
time.sleep(0.2)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
time.sleep(30)
"""


def test_startup_times_spawn_to_ready_on_the_notify_socket(tmp_path):
    fake = tmp_path / "tiffshard"
    fake.write_text(FAKE_DAEMON)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    settings = convert_bench.Settings(binary=str(fake), runs_dir=str(tmp_path / "runs"))
    result = daemon_bench.startup(settings, 2, None, lambda _: None)
    assert result["exits"] == [0, 0] and not result["errors"]
    assert all(200 <= ms < 3000 for ms in result["ready_ms"]), result["ready_ms"]
