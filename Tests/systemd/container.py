"""The low-level half of the systemd harness: cgroup2 bookkeeping, the PID 1 init script, the
minimal unit set, and the checks whether this machine can run it at all. See harness.py."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

# Standard units PID 1 needs to reach default.target and to exit again; without them:
# "Unit sysinit.target not found". Journald gives `journal()` the services' output.
STANDARD_UNITS = [
    "system.slice", "slices.target", "sysinit.target", "basic.target",
    "local-fs.target", "local-fs-pre.target", "swap.target", "sockets.target", "timers.target",
    "paths.target", "multi-user.target", "shutdown.target", "umount.target", "final.target",
    "exit.target", "systemd-exit.service",
    "systemd-journald.service", "systemd-journald.socket", "systemd-journald-dev-log.socket",
]
DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
           "urandom": (1, 9), "tty": (5, 0)}


CGROUP_PREFIX = "tiffshard-test-"
TMP_PREFIX = "tiffshard-sd."


def unit_dir(units: Path) -> None:
    """Fill the private unit dir: the standard units, default.target, journald enabled."""
    for name in STANDARD_UNITS:
        if (Path("/lib/systemd/system") / name).exists():
            shutil.copy(Path("/lib/systemd/system") / name, units / name)
    os.symlink("multi-user.target", units / "default.target")
    for wants, unit in (("sockets.target.wants", "systemd-journald.socket"),
                        ("sockets.target.wants", "systemd-journald-dev-log.socket"),
                        ("sysinit.target.wants", "systemd-journald.service")):
        (units / wants).mkdir(exist_ok=True)
        os.symlink(f"../{unit}", units / wants / unit)


def init_script(tmp: Path, binds: dict[str, str]) -> str:
    """The shell script that runs as PID 1 first: private mounts (see harness.py), then
    `exec systemd`. `tmp` is the harness temp dir, `binds` maps container dirs to host dirs."""
    t = shlex.quote(str(tmp))
    lines = [
        "#!/bin/sh", "set -eu", f"T={t}",
        # A fresh cgroup2 mount shows only our subgroup (the cgroup namespace's root).
        "mount -t cgroup2 cgroup2 /sys/fs/cgroup",
        "mount --bind /proc/sys /proc/sys", "mount -o remount,bind,ro /proc/sys",
        "mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run",
        "mkdir -p /run/systemd/system",
        "mount -t tmpfs -o mode=0755,nosuid,size=8m tmpfs /dev",
    ]
    for name, (major, minor) in DEVICES.items():
        lines.append(f"mknod -m 0666 /dev/{name} c {major} {minor}")
    lines += [
        "mkdir -p /dev/shm /dev/pts /dev/mqueue",
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm",
        "mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts",
        "ln -s pts/ptmx /dev/ptmx", "ln -s /proc/self/fd /dev/fd",
        "ln -s /proc/self/fd/0 /dev/stdin", "ln -s /proc/self/fd/1 /dev/stdout",
        "ln -s /proc/self/fd/2 /dev/stderr",
        "touch /dev/console", 'mount --bind "$T/console.log" /dev/console',
        'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-upper,workdir=$T/etc-work" /etc',
        'mount --bind "$T/var-lib" /var/lib', 'mount --bind "$T/var-log" /var/log',
        'mount --bind "$T/bin" /usr/local/bin',
        "hostname tiffshard-test",
    ]
    for inside, outside in binds.items():
        lines += [f"mkdir -p {shlex.quote(inside)}",
                  f"mount --bind {shlex.quote(str(outside))} {shlex.quote(inside)}"]
    lines += [
        # Private /tmp and /var/tmp, so PrivateTmp= dirs die with the container; the temp
        # dir stays reachable for PID 1 as /run/harness.
        'mkdir /run/harness', 'mount --bind "$T" /run/harness',
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp",
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp",
        "export container=tiffshard-test",
        "export SYSTEMD_UNIT_PATH=/run/harness/units",
        "export SYSTEMD_GENERATOR_PATH=/run/harness/empty",
        "export SYSTEMD_ENVIRONMENT_GENERATOR_PATH=/run/harness/empty",
        # PID 1 logs to the journal (kmsg would be the host's); console.log catches the rest.
        # Debug level: it then journals every sd_notify message, which `reload` relies on.
        "exec /lib/systemd/systemd --log-target=journal --log-level=debug </dev/null "
        ">/dev/console 2>&1",
    ]
    return "\n".join(lines) + "\n"


def unavailable_reason() -> str | None:
    """Why this machine cannot run the harness, or None if it can."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("unshare", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} not found"
    if not Path("/lib/systemd/systemd").exists():
        return "/lib/systemd/systemd not found"
    if cgroup2_root() is None:
        return "no cgroup2 hierarchy mounted"
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount", "--cgroup", "--uts", "--ipc",
                            "--net", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"unshare failed: {probe.stderr.strip()}"
    return None


def alive(pid: int) -> bool:
    """Whether pid is a live process (not gone, not a zombie nobody reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def cgroup2_root() -> Path | None:
    """Where our own cgroup lives in the cgroup2 hierarchy (a dir we can create children in)."""
    mount = None
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        if right.split()[0] == "cgroup2":
            mount = left.split()[4]
            break
    if mount is None:
        return None
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return Path(mount + line[3:].rstrip("/"))
    return Path(mount)




def kill_cgroup(cgroup: Path) -> None:
    """SIGKILL every process in `cgroup` and below, and wait (10 s at most) until they are gone."""
    if not cgroup.exists():
        return
    kill = cgroup / "cgroup.kill"
    if kill.exists():
        kill.write_text("1")
    else:  # kernels before 5.14: kill what is listed, bottom-up
        for d in sorted(cgroup.rglob("*"), key=lambda p: -len(p.parts)) + [cgroup]:
            if (d / "cgroup.procs").exists():
                for pid in (d / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and cgroup_pids(cgroup):
        time.sleep(0.05)


def cgroup_pids(cgroup: Path) -> list[str]:
    """All pids in `cgroup` and below."""
    pids = []
    for procs in cgroup.rglob("cgroup.procs"):
        try:
            pids += procs.read_text().split()
        except OSError:
            pass
    return pids


def remove_cgroup(cgroup: Path) -> list[str]:
    """rmdir `cgroup` and its children, deepest first; returns the errors."""
    if not cgroup.exists():
        return []
    errors = []
    dirs = sorted((p for p in cgroup.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    for d in dirs + [cgroup]:
        try:
            d.rmdir()
        except OSError as e:
            errors.append(f"could not remove cgroup {d}: {e}")
    return errors


def sweep_stale() -> None:
    """Remove what a SIGKILLed earlier run left: its cgroup (killing PID 1 and all under it)
    and its temp dir. A run's cgroup is named tiffshard-test-<creator pid>-<temp suffix>."""
    root = cgroup2_root()
    if root is None:
        return
    for cg in root.glob(f"{CGROUP_PREFIX}*-*"):
        _, _, rest = cg.name.partition(CGROUP_PREFIX)
        pid, _, suffix = rest.partition("-")
        if pid.isdigit() and alive(int(pid)):
            continue  # its creator is alive: a concurrent run, not ours to touch
        kill_cgroup(cg)
        remove_cgroup(cg)
        shutil.rmtree(Path(tempfile.gettempdir()) / f"{TMP_PREFIX}{suffix}", ignore_errors=True)
