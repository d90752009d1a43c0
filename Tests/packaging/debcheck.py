"""Checks of the .deb that need no systemd: the archive (steps 1) and its binary (step 2) of
test_deb.py, plus the TIFFs and reference conversions the scenario shares."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The runtime libraries the brief names (issue 9, item 4), and what must carry them.
REQUIRED_DEPENDS = ("libtiff6", "libopencv-core406", "libopencv-imgproc406", "libopencv-imgcodecs406",
                    "libsystemd0", "libc6", "libstdc++6", "libgcc-s1")
FILES = {  # path in the package -> mode
    "etc/tiffshard/tiffshard.yaml": 0o644,
    "lib/systemd/system/tiffshard.service": 0o644,
    "lib/systemd/system/tiffshard@.service": 0o644,
    "usr/bin/tiffshard": 0o755,
    "usr/lib/sysusers.d/tiffshard.conf": 0o644,
    "usr/lib/tmpfiles.d/tiffshard.conf": 0o644,
    "usr/share/doc/tiffshard/README.md": 0o644,
    "usr/share/doc/tiffshard/copyright": 0o644,
}
PATH_CHANGES = {"/usr/local/bin/tiffshard": "/usr/bin/tiffshard",
                "/usr/local/share/doc/tiffshard/": "/usr/share/doc/tiffshard/"}


def run(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kw)


def in_system_lib(path: str) -> bool:
    """Whether a library path is one of the distribution's (/lib, /usr/lib, /lib64 -> usr)."""
    real = os.path.realpath(path.removesuffix(" (deleted)"))
    return real.startswith(("/usr/lib/", "/lib/", "/usr/lib64/", "/lib64/"))


def depends_packages(depends: str) -> set[str]:
    """Package names in a Depends: value (alternatives included, versions and arch stripped)."""
    return {re.sub(r"[\s(:].*", "", alt.strip()) for part in depends.split(",") for alt in part.split("|")}


# -- step 1 ----------------------------------------------------------------------------------------

def check_archive(deb: Path, tree: Path, report) -> None:
    check = report.check
    version = (REPO / "packaging" / "VERSION").read_text().strip()
    arch = run("dpkg", "--print-architecture").stdout.strip()
    check(deb.name == f"tiffshard_{version}_{arch}.deb", f"file name {deb.name} (packaging/VERSION {version})")
    check(deb.stat().st_size < 20 << 20, f"size {deb.stat().st_size / 2**20:.1f} MiB")
    fields = {}
    for line in run("dpkg-deb", "--field", deb).stdout.splitlines():
        if ":" in line and not line.startswith(" "):
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    check((fields.get("Package"), fields.get("Version"), fields.get("Architecture")) == ("tiffshard", version, arch),
          f"Package/Version/Architecture: {fields.get('Package')} {fields.get('Version')} {fields.get('Architecture')}")
    depends = fields.get("Depends", "")
    print(f"  Depends: {depends}")
    missing = [p for p in REQUIRED_DEPENDS if p not in depends_packages(depends)]
    check(not missing, "Depends names every runtime library package", f"missing {missing}")
    check("systemd-standalone-sysusers" in depends and "systemd-standalone-tmpfiles" in depends,
          "Depends: systemd (or the standalone sysusers/tmpfiles) for the maintainer scripts")
    unknown = [p for p in depends_packages(depends)
               if run("apt-cache", "show", "--no-all-versions", p).returncode != 0]
    check(not unknown, "every Depends package exists in this machine's archive", str(unknown))
    info = run("dpkg-deb", "--info", deb).stdout
    check(re.search(r"^\s+\d+ bytes,\s+1 lines\s+conffiles", info, re.M) is not None, "conffiles member present")
    ctl = Path(tree.parent / "control")
    run("dpkg-deb", "--control", deb, ctl)
    check((ctl / "conffiles").read_text().split() == ["/etc/tiffshard/tiffshard.yaml"],
          "conffiles lists /etc/tiffshard/tiffshard.yaml")
    for script in ("postinst", "prerm", "postrm"):
        check(os.access(ctl / script, os.X_OK) and run("sh", "-n", ctl / script).returncode == 0,
              f"{script}: executable, valid sh")

    listing = run("dpkg-deb", "--contents", deb).stdout.splitlines()
    files, owners = {}, set()
    for line in listing:
        perms, owner, _size, _date, _time, path = line.split(None, 5)
        owners.add(owner)
        if perms.startswith("-"):
            files[path.removeprefix("./")] = perms
    check(sorted(files) == sorted(FILES), "exactly the expected files",
          f"extra {sorted(set(files) - set(FILES))}, missing {sorted(set(FILES) - set(files))}")
    wrong = {p: files[p] for p in FILES if p in files and files[p] != _perm_string(FILES[p])}
    check(not wrong and owners == {"root/root"}, "modes 0644/0755, owner root/root", f"{wrong} {owners}")

    run("dpkg-deb", "--extract", deb, tree)
    for unit in ("tiffshard.service", "tiffshard@.service"):
        expected = (REPO / "systemd" / unit).read_text()
        for old, new in PATH_CHANGES.items():
            expected = expected.replace(old, new)
        check((tree / "lib/systemd/system" / unit).read_text() == expected,
              f"{unit} is systemd/{unit} with /usr paths")
    check((tree / "etc/tiffshard/tiffshard.yaml").read_bytes() == (REPO / "config/tiffshard.yaml").read_bytes(),
          "/etc/tiffshard/tiffshard.yaml is config/tiffshard.yaml")
    check((tree / "usr/lib/sysusers.d/tiffshard.conf").read_bytes() ==
          (REPO / "systemd/tiffshard.sysusers").read_bytes(), "sysusers.d/tiffshard.conf is systemd/tiffshard.sysusers")
    _verify_units(tree, report)


def _perm_string(mode: int) -> str:
    bits = "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    return "-" + bits


def _verify_units(tree: Path, report) -> None:
    """`systemd-analyze verify` of the packaged units in a root holding the package's files."""
    if shutil.which("systemd-analyze") is None:
        print("  (systemd-analyze not found: units not verified)")
        return
    root = tree.parent / "root"
    shutil.copytree(tree, root, symlinks=True)
    shutil.copytree("/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)
    for unit in ("tiffshard.service", "tiffshard@.service"):
        shutil.copy(tree / "lib/systemd/system" / unit, root / "usr/lib/systemd/system" / unit)
    (root / "bin").mkdir(exist_ok=True)
    shutil.copy(os.path.realpath("/bin/kill"), root / "bin/kill")
    for name in ("tiffshard.service", "tiffshard@test.service"):
        r = run("systemd-analyze", "verify", f"--root={root}", "--man=no", name)
        out = (r.stdout + r.stderr).strip()
        report.check(not out, f"systemd-analyze verify {name} (packaged): no output", out)


# -- step 2 ----------------------------------------------------------------------------------------

def check_binary(binary: Path, compare: Path | None, tmp: Path, report) -> None:
    check = report.check
    dyn = run("objdump", "-p", binary).stdout
    needed = re.findall(r"^\s+NEEDED\s+(\S+)", dyn, re.M)
    print(f"  NEEDED: {' '.join(needed)}; size {binary.stat().st_size / 2**20:.1f} MiB (stripped)")
    check(not re.search(r"^\s+(RPATH|RUNPATH)\s", dyn, re.M), "no RPATH/RUNPATH")
    check(not [n for n in needed if "swift" in n.lower() or "Foundation" in n or "dispatch" in n],
          "no Swift runtime library among NEEDED (linked statically)")
    ldd = run("ldd", binary).stdout
    resolved = re.findall(r"=>\s+(\S+)", ldd)
    bad = [l.strip() for l in ldd.splitlines() if "not found" in l]
    bad += [p for p in resolved if not in_system_lib(p)]
    check(bool(resolved) and not bad, f"ldd: all {len(resolved)} libraries resolve in /lib or /usr/lib", str(bad))

    src = tmp / "src"
    sources = write_tiffs(src)
    hidden = swift_toolchain_dir()
    out = tmp / "out"
    trace = tmp / "ld"
    trace.mkdir()
    # A private mount namespace in which the toolchain is an empty directory, an empty
    # environment, and LD_DEBUG=files: every process (the workers too) logs what it loads.
    script = ((f"mount -t tmpfs -o size=1m tmpfs {hidden} && " if hidden else "") +
              f'exec env -i PATH=/usr/bin:/bin LD_DEBUG=files LD_DEBUG_OUTPUT={trace}/ld "$@"')
    r = run("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            binary, "convert", src, out, "--width", "64", "--height", "48", "--workers", "1",
            "--no-progress", timeout=120)
    check(r.returncode == 0, f"convert with an empty environment and {hidden or 'no toolchain'} hidden: "
          f"exit {r.returncode}", r.stderr[-1500:])
    loaded = set()
    for log in trace.iterdir():
        loaded |= set(re.findall(r"calling init: (\S+)", log.read_text(errors="replace")))
    outside = sorted(p for p in loaded if not in_system_lib(p))
    check(len(list(trace.iterdir())) >= 2 and not outside,
          f"{len(list(trace.iterdir()))} processes loaded {len(loaded)} libraries, all from /lib or /usr/lib",
          str(outside))
    check(any("libopencv_imgcodecs.so" in p for p in loaded),
          "the worker dlopen()ed libopencv_imgcodecs for the palette TIFF")
    if compare is not None:
        import numpy as np
        got = shards_by_source(out)
        expected = convert_by_source(compare, src, 64, 48)
        same = [s for s in expected if s in got and np.array_equal(got[s], expected[s])]
        check(len(same) == len(sources) and len(got) == len(sources),
              f"rows equal to {compare.name} ({compare.parent.name}) convert: {len(same)}/{len(sources)}")


def swift_toolchain_dir() -> Path | None:
    from package_harness import swift_toolchain
    return swift_toolchain()


# -- data --------------------------------------------------------------------------------------------

def write_tiffs(folder: Path) -> list[Path]:
    """Five gray TIFFs of assorted sizes and one palette TIFF (decoded through cv::imread)."""
    import numpy as np
    import tifffile
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(9)
    files = []
    for i in range(5):
        f = folder / f"gray-{i}.tif"
        tifffile.imwrite(f, rng.integers(0, 256, size=(50 + 9 * i, 70 + 5 * i), dtype=np.uint8))
        files.append(f)
    colormap = rng.integers(0, 65536, size=(3, 256), dtype=np.uint16)
    f = folder / "palette.tif"
    tifffile.imwrite(f, rng.integers(0, 256, size=(60, 80), dtype=np.uint8), photometric="palette",
                     colormap=colormap)
    files.append(f)
    return files


def shards_by_source(out: Path) -> dict:
    """{source: row} over every published shard of `out`."""
    import json
    import numpy as np
    rows = {}
    for npy in sorted(out.glob("*shard-*.npy")):
        a = np.load(npy, mmap_mode="r")
        for line in npy.with_suffix(".jsonl").read_text().splitlines():
            r = json.loads(line)
            rows[r["source"]] = np.array(a[r["row"]])
    return rows


def convert_by_source(binary: Path, src: Path, width: int, height: int) -> dict:
    """`binary convert SRC` into a temp dir: {source name: row}."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="tiffshard-ref.") as tmp:
        r = run(binary, "convert", src, tmp, "--width", width, "--height", height, "--no-progress", timeout=120)
        if r.returncode != 0:
            raise AssertionError(f"{binary} convert: exit {r.returncode}: {r.stderr[-500:]}")
        return shards_by_source(Path(tmp))
