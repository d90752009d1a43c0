"""python/ installs with pip, and its version is packaging/VERSION."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_pip_installs_the_reader_with_the_repository_version(store: Path, tmp_path: Path):
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
           "--target", str(target)]
    try:  # the build backend is already here: no download (else pip fetches setuptools)
        import setuptools  # noqa: F401
        import wheel  # noqa: F401
        pip.append("--no-build-isolation")
    except ImportError:
        pass
    r = subprocess.run(pip + [str(REPO / "python")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import tiffshard; "
            "ds = tiffshard.open(sys.argv[2]); print(tiffshard.__version__, tiffshard.__file__, len(ds))")
    r = subprocess.run([sys.executable, "-c", code, str(target), str(store)], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    version, where, rows = r.stdout.split()
    assert version == (REPO / "packaging" / "VERSION").read_text().strip()
    assert where.startswith(str(target)) and rows == "25"
