"""`make install` / `make uninstall` into a DESTDIR, with the default and another PREFIX.

    python3 -m pytest -q Tests/packaging/test_make_install.py
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def make(*args: str) -> subprocess.CompletedProcess:
    r = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), *args],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"make {' '.join(args)}: exit {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
    return r


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


@pytest.fixture(scope="module")
def default_install(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("destdir")
    make("install", f"DESTDIR={dest}")
    return dest


def test_default_prefix_is_usr_local_and_units_are_the_repository_units(default_install: Path):
    assert files_under(default_install) == [
        "etc/tiffshard/tiffshard.yaml",
        "usr/local/bin/tiffshard",
        "usr/local/lib/systemd/system/tiffshard.service",
        "usr/local/lib/systemd/system/tiffshard@.service",
        "usr/local/lib/sysusers.d/tiffshard.conf",
        "usr/local/lib/tmpfiles.d/tiffshard.conf",
        "usr/local/share/doc/tiffshard/README.md",
    ]
    for unit in ("tiffshard.service", "tiffshard@.service"):
        installed = default_install / "usr/local/lib/systemd/system" / unit
        assert installed.read_text() == (REPO / "systemd" / unit).read_text()
        assert installed.stat().st_mode & 0o777 == 0o644
    binary = default_install / "usr/local/bin/tiffshard"
    assert binary.stat().st_mode & 0o777 == 0o755
    r = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "convert" in r.stdout


def test_prefix_usr_names_usr_bin_in_the_units(tmp_path: Path):
    make("install", f"DESTDIR={tmp_path}", "PREFIX=/usr")
    unit = (tmp_path / "usr/lib/systemd/system/tiffshard.service").read_text()
    assert "ExecStart=/usr/bin/tiffshard run --config /etc/tiffshard/tiffshard.yaml" in unit
    assert "Documentation=file:/usr/share/doc/tiffshard/README.md" in unit
    assert "/usr/local" not in unit
    assert (tmp_path / "usr/bin/tiffshard").is_file()
    assert (tmp_path / "usr/lib/sysusers.d/tiffshard.conf").is_file()


def test_reinstall_keeps_a_changed_config_and_uninstall_removes_the_rest(tmp_path: Path):
    make("install", f"DESTDIR={tmp_path}")
    config = tmp_path / "etc/tiffshard/tiffshard.yaml"
    config.write_text("width: 64\n")
    make("install", f"DESTDIR={tmp_path}")
    assert config.read_text() == "width: 64\n"
    out = make("uninstall", f"DESTDIR={tmp_path}").stdout
    assert files_under(tmp_path) == ["etc/tiffshard/tiffshard.yaml"]
    assert "kept" in out


def test_uninstall_removes_an_unchanged_config(default_install: Path, tmp_path: Path):
    make("install", f"DESTDIR={tmp_path}")
    make("uninstall", f"DESTDIR={tmp_path}")
    assert files_under(tmp_path) == []
    assert not (tmp_path / "etc/tiffshard").exists()
