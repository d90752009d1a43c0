"""The systemd harness of Tests/systemd, extended so a Debian package can be installed for real.

`apt-get` and `dpkg` run inside the harness's namespaces (nsenter), so the package's maintainer
scripts meet a real systemd 252 as PID 1 (`/run/systemd/system` exists, `systemctl` reaches it,
`deb-systemd-invoke` starts and stops units), while the machine itself is changed only where
a package install changes it:

    /usr, /lib (= /usr/lib)      the host's: the package's files land on this machine
    /var/lib/dpkg, /var/lib/apt  the host's, bound into the container: apt/dpkg see and record
                                 the machine's real package state (and its locks)
    /etc                         the harness's overlay: the conffile, the user that
                                 systemd-sysusers adds and the enablement symlinks vanish with it
    /etc/systemd/system          an empty tmpfs, first in PID 1's unit path: the host's enabled
                                 units stay out, deb-systemd-helper's symlinks count (is-enabled)
    /var/lib, /var/log           the harness's temp dirs: tmpfiles' and the daemon's state
    the Swift toolchain          hidden under an empty tmpfs: the packaged binary must not need it

PID 1 reads units only from its private dir; `tiffshard.service` and `tiffshard@.service` there
are symlinks to /lib/systemd/system, so once dpkg unpacks them PID 1 runs the installed files
exactly (dangling until then). The package must be purged before teardown (the host's dpkg
database would otherwise list a conffile that only the overlay held); `purge_on_host` is the
last resort when the container is gone.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "systemd"))
import harness  # noqa: E402
from harness import HarnessError, SystemdHarness  # noqa: E402,F401

POLICY = Path("/usr/sbin/policy-rc.d")
HOST_STATE = ("/var/lib/dpkg", "/var/lib/apt")
UNITS = ("tiffshard.service", "tiffshard@.service")


def swift_toolchain() -> Path | None:
    """The directory of the Swift toolchain on PATH (e.g. /opt/swift), if it can be hidden."""
    swift = shutil.which("swift")
    if swift is None:
        return None
    root = Path(os.path.realpath(swift)).parents[2]  # <root>/usr/bin/swift
    if str(root) in ("/", "/usr"):  # installed into the system itself: hide only its runtime
        runtime = root / "usr" / "lib" / "swift"
        return runtime if runtime.is_dir() else None
    return root


def package_status(name: str = "tiffshard") -> str:
    """dpkg's status of the package on this machine: `installed`, `config-files`, … or ``."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}", name],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def purge_on_host(name: str = "tiffshard") -> str:
    """`dpkg --purge` outside the container (its scripts find no systemd there and do no harm)."""
    r = subprocess.run(["dpkg", "--purge", name], capture_output=True, text=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return (r.stdout + r.stderr).strip()


def processes_running(executable: str) -> list[str]:
    """`pid exe` of every process on the machine (any namespace) running `executable`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = os.readlink(entry / "exe")
        except OSError:
            continue
        if exe == executable or exe == f"{executable} (deleted)":
            found.append(f"{entry.name} {exe}")
    return found


class PackageHarness(SystemdHarness):
    """A SystemdHarness in which `apt()` installs packages on this machine (see module doc)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.toolchain = swift_toolchain()
        for unit in UNITS:
            os.symlink(f"/lib/systemd/system/{unit}", self.units / unit)
        for inside in HOST_STATE:
            self.binds[inside] = str(self._host_view(inside))
        (self.var_log / "apt").mkdir()
        self._policy_overridden = False

    def _host_view(self, path: str) -> Path:
        return self.tmp / "host" / path.strip("/").replace("/", "-")

    def _extend(self, script: str) -> str:
        """The harness's init script plus our mounts (all inside the new mount namespace)."""
        lines = script.splitlines()
        # First of all, while /var/lib is still the host's: give the host's package state a
        # second name under $T, which the harness's `binds` then mount over its private /var/lib.
        first = [f"mkdir -p {shlex.quote(str(self._host_view(p)))} && mount --bind {p} "
                 f"{shlex.quote(str(self._host_view(p)))}" for p in HOST_STATE]
        at = lines.index("mount -t cgroup2 cgroup2 /sys/fs/cgroup")
        lines[at:at] = first
        overlay = next(i for i, l in enumerate(lines) if l.startswith("mount -t overlay overlay"))
        lines.insert(overlay + 1, "mount -t tmpfs -o mode=0755,size=1m tmpfs /etc/systemd/system")
        if self.toolchain is not None:
            lines.insert(overlay + 2, "mount -t tmpfs -o mode=0755,size=1m tmpfs "
                         f"{shlex.quote(str(self.toolchain))}")
        path = lines.index("export SYSTEMD_UNIT_PATH=/run/harness/units")
        lines[path] = "export SYSTEMD_UNIT_PATH=/etc/systemd/system:/run/harness/units"
        return "\n".join(lines) + "\n"

    def boot(self) -> None:
        # The harness builds its init script with container.init_script; extend that one call.
        original = harness.init_script
        harness.init_script = lambda tmp, binds: self._extend(original(tmp, binds))
        try:
            super().boot()
        finally:
            harness.init_script = original

    # -- inside the container -----------------------------------------------------------------

    def apt(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """`apt-get -y ARGS` inside the container, on this machine's package state."""
        return self.run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q",
                        "-o", "Dpkg::Use-Pty=0", *args, check=False, timeout=timeout)

    def allow_service_starts(self) -> bool:
        """Inside the container only, replace a policy-rc.d that forbids starts with one that
        allows them (as on a machine without one). False if there is none to replace."""
        if not POLICY.exists() or self._policy_overridden:
            return self._policy_overridden
        allow = self.tmp / "policy-allow"
        allow.write_text("#!/bin/sh\n# harness: allow every action\nexit 0\n")
        allow.chmod(0o755)
        self.run("mount", "--bind", "/run/harness/policy-allow", str(POLICY))
        self._policy_overridden = True
        return True

    def restore_policy(self) -> None:
        """Back to the machine's own policy-rc.d."""
        if self._policy_overridden:
            self.run("umount", str(POLICY))
            self._policy_overridden = False

    def exists(self, path: str) -> bool:
        """Whether `path` exists as seen inside the container (for /etc, the overlay)."""
        return self.run("test", "-e", path, check=False).returncode == 0

    def is_symlink(self, path: str) -> bool:
        return self.run("test", "-L", path, check=False).returncode == 0

    def children(self, pid: str) -> list[str]:
        """Child pids (container pid namespace) of `pid`."""
        out = self.run("cat", f"/proc/{pid}/task/{pid}/children", check=False).stdout
        return out.split()

    def mapped_files(self, pid: str) -> set[str]:
        """The files mapped into process `pid` (container pid), as it sees their paths."""
        out = self.run("cat", f"/proc/{pid}/maps").stdout
        files = set()
        for line in out.splitlines():
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].startswith("/"):
                files.add(fields[5])
        return files
