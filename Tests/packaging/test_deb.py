#!/usr/bin/env python3
"""The Debian package, built by `make deb`, checked from its archive to its removal.

    python3 Tests/packaging/test_deb.py --deb tiffshard_VERSION_ARCH.deb
                                        [--compare-binary .build/debug/tiffshard] [--keep] [--verbose]

1. The archive: control fields, Depends (every library the binary needs, imgcodecs which it
   dlopen()s, sysusers/tmpfiles), the conffile, the exact file list and modes, units equal to
   systemd/*.service but for the /usr paths, `systemd-analyze verify` of the packaged units.
2. The binary: no RPATH/RUNPATH, no Swift library among its NEEDED, `ldd` resolves everything in
   /lib or /usr/lib; run with an empty environment in a mount namespace hiding the Swift
   toolchain (LD_DEBUG lists every library each process loads, the workers' dlopen included):
   it converts gray and palette TIFFs (the palette one through cv::imread, so imgcodecs is
   loaded), bit-identical to --compare-binary's output.
3. On this machine under a real systemd 252 (Tests/packaging/package_harness.py): with the
   machine's policy-rc.d forbidding starts (as in CI), `apt-get install ./DEB` creates the user,
   the state dirs, the conffile, enables the unit and does not start it; purge. Then as on a
   machine without that policy: install starts it; TIFFs dropped into /var/lib/tiffshard/ingest
   become a shard numpy loads, equal to --compare-binary's; its workers map nothing outside
   /lib and /usr/lib with the toolchain hidden, imgcodecs included; a tiffshard@ instance runs
   too; a reinstall (an upgrade, to dpkg) restarts both; `apt-get remove` leaves no tiffshard
   process and keeps the data and the conffile; `apt-get purge` removes the conffile and the
   enablement and still keeps the data.
   Finally the machine's package state is what it was (the package not installed).

Prints every check, ends with `N passed, M failed`. Step 3 prints SKIP and is left out when not
root or the harness cannot run here; the whole script skips if tiffshard is already installed
on this machine (it would not touch a real installation).
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "Tests" / "systemd"))
from package_harness import (POLICY, PackageHarness, package_status, processes_running,  # noqa: E402
                             purge_on_host, swift_toolchain)
from harness import Terminated, raise_on_termination, unavailable_reason  # noqa: E402
from report import Report, skip  # noqa: E402
import debcheck  # noqa: E402

SERVICE = "tiffshard.service"
INSTANCE = "tiffshard@cam1.service"
STATE = "tiffshard"  # /var/lib/tiffshard inside the container


class Installed:
    """Step 3: the package on this machine, under the harness's systemd."""

    def __init__(self, sd: PackageHarness, deb: Path, compare: Path | None, report: Report):
        self.sd, self.deb, self.compare, self.report = sd, deb, compare, report
        self.state = sd.var_lib / STATE
        self.staging = sd.var_lib / "staging"  # same file system as ingest: rename is atomic
        self.staging.mkdir()
        self.check = report.check

    def install(self) -> bool:
        started = time.monotonic()
        r = self.sd.apt("install", str(self.deb))  # a path: apt installs that file
        self.check(r.returncode == 0, f"apt-get install ./{self.deb.name}: exit {r.returncode} "
                   f"({time.monotonic() - started:.1f} s)", r.stdout[-2000:] + r.stderr[-2000:])
        self.check(package_status() == "installed", f"dpkg: status {package_status()!r}")
        return r.returncode == 0

    def purge(self) -> None:
        r = self.sd.apt("purge", "tiffshard")
        self.check(r.returncode == 0, f"apt-get purge tiffshard: exit {r.returncode}",
                   r.stdout[-2000:] + r.stderr[-2000:])
        self.check(package_status() in ("", "not-installed"),
                   f"dpkg: not installed any more ({package_status()!r})")
        self.check(not self.sd.exists("/etc/tiffshard/tiffshard.yaml"), "purge removed the conffile")
        self.check(not self.sd.is_symlink(
            "/etc/systemd/system/multi-user.target.wants/tiffshard.service"),
            "purge removed the enablement symlink")
        kept = [d for d in ("ingest", "shards", "processed", "failed") if (self.state / d).is_dir()]
        self.check(len(kept) == 4, f"purge kept the data directories: {kept}")
        self.check(self.sd.run("getent", "passwd", "tiffshard", check=False).returncode == 0,
                   "purge kept the system user tiffshard (owner of the kept data)")

    def setup_done(self) -> None:
        """What postinst must have done, whether or not the service was started."""
        r = self.sd.run("getent", "passwd", "tiffshard", check=False)
        fields = r.stdout.strip().split(":")
        self.check(r.returncode == 0 and fields[5:] == ["/var/lib/tiffshard", "/usr/sbin/nologin"],
                   f"systemd-sysusers created user tiffshard: {r.stdout.strip()!r}")
        uid = int(fields[2]) if len(fields) > 2 else -1
        for d in ("", "ingest", "shards", "processed", "failed"):
            path = self.state / d
            st = path.stat() if path.is_dir() else None
            self.check(st is not None and st.st_uid == uid and (st.st_mode & 0o777) == 0o750,
                       f"tmpfiles created /var/lib/tiffshard/{d} tiffshard 0750",
                       f"{oct(st.st_mode) if st else 'missing'} uid {st.st_uid if st else '-'}")
        self.check(self.sd.exists("/etc/tiffshard/tiffshard.yaml"), "conffile /etc/tiffshard/tiffshard.yaml")
        self.check(self.sd.is_symlink("/etc/systemd/system/multi-user.target.wants/tiffshard.service"),
                   "deb-systemd-helper enabled tiffshard.service")
        p = self.sd.show(SERVICE, "LoadState", "FragmentPath", "UnitFileState")
        self.check(p["LoadState"] == "loaded" and p["UnitFileState"] == "enabled",
                   f"systemd loaded the installed unit ({p['FragmentPath']}): {p['UnitFileState']}")

    # -- the steps ---------------------------------------------------------------------------

    def policy_forbids_start(self) -> None:
        if not self.install():
            return
        self.setup_done()
        p = self.sd.show(SERVICE, "ActiveState")
        self.check(p["ActiveState"] == "inactive",
                   f"policy-rc.d (exit 101) kept the service stopped: {p['ActiveState']}")
        self.check(not processes_running("/usr/bin/tiffshard"), "no tiffshard process")
        self.purge()

    def install_starts(self) -> None:
        self.sd.allow_service_starts()
        if not self.install():
            raise AssertionError("nothing else can work")
        self.setup_done()
        p = self.sd.wait_for(SERVICE, lambda p: p["StatusText"] != "", "a StatusText", timeout=60)
        self.check(p["ActiveState"] == "active", f"postinst started it: {p['ActiveState']}, "
                   f"StatusText={p['StatusText']!r}")

    def ingest(self) -> None:
        import numpy as np
        sources = debcheck.write_tiffs(self.staging)
        for f in sources:
            f.rename(self.state / "ingest" / f.name)
        names = sorted(f.name for f in sources)
        print(f"  dropped {names} into /var/lib/tiffshard/ingest (shipped config: 128x128, "
              "idle-flush 2s)")
        deadline = time.monotonic() + 60
        rows: list[dict] = []
        while time.monotonic() < deadline and sorted(r["source"] for r in rows) != names:
            rows = [dict(json.loads(l), shard=m.stem) for m in sorted((self.state / "shards").glob("shard-*.jsonl"))
                    if m.with_suffix(".npy").exists() for l in m.read_text().splitlines() if l]
            time.sleep(0.2)
        self.check(sorted(r["source"] for r in rows) == names, f"published: {len(rows)}/{len(names)} rows")
        arrays = {s: np.load(self.state / "shards" / f"{s}.npy", mmap_mode="r") for s in {r["shard"] for r in rows}}
        for stem, a in arrays.items():
            self.check(a.dtype == np.uint8 and a.shape[1:] == (128, 128), f"{stem}.npy: {a.dtype} {a.shape}")
        if self.compare is not None:  # the same files again (same seed), converted by the other binary
            reference = self.sd.tmp / "reference"
            debcheck.write_tiffs(reference)
            expected = debcheck.convert_by_source(self.compare, reference, 128, 128)
            same = [r["source"] for r in rows
                    if np.array_equal(arrays[r["shard"]][r["row"]], expected.get(r["source"]))]
            self.check(len(same) == len(names), f"rows equal to {self.compare}'s convert: "
                       f"{len(same)}/{len(names)}")

    def no_toolchain(self) -> None:
        main = self.sd.show(SERVICE, "MainPID")["MainPID"]
        pids = [main] + self.sd.children(main)
        files = set()
        for pid in pids:
            files |= self.sd.mapped_files(pid)
        libs = sorted(f for f in files if ".so" in Path(f).name)
        outside = [f for f in libs if not debcheck.in_system_lib(f)]
        print(f"  {len(pids)} processes (daemon + workers), {len(libs)} shared objects mapped; "
              f"toolchain {swift_toolchain()} hidden")
        self.check(not outside, "nothing mapped from outside /lib and /usr/lib", str(outside))
        self.check(not [f for f in files if "swift" in f.lower()], "no Swift library mapped")
        self.check(any("libopencv_imgcodecs.so" in f for f in libs),
                   "a worker dlopen()ed libopencv_imgcodecs (the palette TIFF's cv::imread)")
        r = self.sd.run("ldd", "/usr/bin/tiffshard", check=False)
        self.check(r.returncode == 0 and "not found" not in r.stdout,
                   "ldd /usr/bin/tiffshard with the toolchain hidden: everything found")

    def instance(self) -> None:
        self.sd.run("sh", "-c", "printf 'width: 32\\nheight: 32\\n' > /etc/tiffshard/cam1.yaml")
        self.sd.start(INSTANCE, timeout=120)
        p = self.sd.show(INSTANCE, "ActiveState")
        self.check(p["ActiveState"] == "active", f"{INSTANCE}: {p['ActiveState']}")

    def upgrade(self) -> None:
        before = {u: self.sd.show(u, "MainPID")["MainPID"] for u in (SERVICE, INSTANCE)}
        r = self.sd.apt("install", "--reinstall", str(self.deb))
        self.check(r.returncode == 0, f"apt-get install --reinstall: exit {r.returncode}",
                   r.stdout[-2000:] + r.stderr[-2000:])
        for unit, pid in before.items():
            p = self.sd.wait_for(unit, lambda p: p["ActiveState"] == "active" and p["MainPID"] not in ("0", pid),
                                 "restarted", timeout=60)
            self.check(True, f"postinst restarted {unit}: MainPID {pid} -> {p['MainPID']}")

    def remove(self) -> None:
        before = sorted(f.name for f in (self.state / "shards").iterdir())
        r = self.sd.apt("remove", "tiffshard")
        self.check(r.returncode == 0, f"apt-get remove tiffshard: exit {r.returncode}",
                   r.stdout[-2000:] + r.stderr[-2000:])
        left = processes_running("/usr/bin/tiffshard")
        self.check(not left, "prerm stopped every tiffshard process (service and instance)", str(left))
        for unit in (SERVICE, INSTANCE):
            p = self.sd.show(unit, "ActiveState")
            self.check(p["ActiveState"] in ("inactive", ""), f"{unit}: {p['ActiveState'] or 'gone'}")
        self.check(package_status() == "config-files", f"dpkg: {package_status()!r}")
        self.check(not Path("/usr/bin/tiffshard").exists(), "/usr/bin/tiffshard removed")
        self.check(self.sd.exists("/etc/tiffshard/tiffshard.yaml"), "remove kept the conffile")
        after = sorted(f.name for f in (self.state / "shards").iterdir())
        self.check(before and set(before) <= set(after), f"remove kept the shards: {after}")
        journal = self.sd.journal(SERVICE, lines=400)
        self.check("Stopping" in journal or "Stopped" in journal, "journal: the unit was stopped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deb", required=True, type=Path)
    parser.add_argument("--compare-binary", type=Path, help="a tiffshard whose output the package's must equal")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    deb = args.deb.resolve()
    compare = args.compare_binary.resolve() if args.compare_binary and args.compare_binary.exists() else None
    status = package_status()
    if status not in ("", "not-installed"):
        skip(f"tiffshard is already installed on this machine (dpkg status {status!r}); not touching it")
    report = Report()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tiffshard-deb.") as tmp:
        tree = Path(tmp) / "tree"
        report.step("the archive: fields, Depends, conffile, files, units",
                    lambda: debcheck.check_archive(deb, tree, report))
        report.step("the binary: links only system libraries, runs without the Swift toolchain",
                    lambda: debcheck.check_binary(tree / "usr/bin/tiffshard", compare, Path(tmp), report))

    reason = unavailable_reason()
    if reason:
        print(f"SKIP: installing under systemd needs root, unshare and cgroup2: {reason}")
        return report.finish()
    raise_on_termination()

    def on_alarm(*_):
        raise Terminated("the package scenario took longer than 600 s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(600)
    # The container has private /tmp and /var/tmp: the package's folder is bound in at a fixed path, so a
    # checkout anywhere (CI clones under /tmp) installs the same way.
    inside = Path("/srv/tiffshard-deb")
    sd = PackageHarness(keep=args.keep, verbose=args.verbose, binds={str(inside): str(deb.parent)})
    try:
        sd.boot()
        sc = Installed(sd, inside / deb.name, compare, report)
        denies = POLICY.exists() and subprocess.run([str(POLICY), SERVICE, "start"]).returncode == 101
        steps = []
        if denies:
            steps.append((f"install with this machine's {POLICY} (exit 101): enabled, not started; purge",
                          sc.policy_forbids_start))
        steps += [("install where starts are allowed: postinst starts tiffshard.service", sc.install_starts),
                  ("TIFFs into /var/lib/tiffshard/ingest: a shard numpy loads", sc.ingest),
                  ("the running daemon and workers: system libraries only, no toolchain", sc.no_toolchain),
                  ("a tiffshard@cam1 instance runs too", sc.instance),
                  ("upgrade (reinstall): postinst restarts both with the new binary", sc.upgrade),
                  ("apt-get remove: every tiffshard process stopped, data and conffile kept", sc.remove),
                  ("apt-get purge: conffile and enablement gone, data kept", sc.purge)]
        for i, (title, body) in enumerate(steps):
            if not report.step(title, body) and body in (sc.install_starts,):
                print(sd.journal(SERVICE, lines=60, hide_notify=True))
                break
    except (Exception, Terminated, KeyboardInterrupt) as e:  # noqa: BLE001
        report.check(False, "harness", f"{type(e).__name__}: {e}\n{sd.diagnostics()}")
    finally:
        signal.alarm(0)
        if package_status() not in ("", "not-installed") and sd.pid1 is not None:
            sd.apt("purge", "tiffshard")
        sd.teardown()
        if package_status() not in ("", "not-installed"):
            print(purge_on_host())
            report.check(False, "machine state", "the package was still installed: purged on the host")
        report.check(package_status() in ("", "not-installed") and not Path("/usr/bin/tiffshard").exists(),
                     "machine state restored: tiffshard not installed, no /usr/bin/tiffshard")
    print(f"  ({time.monotonic() - started:.0f} s)")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
