"""A real systemd (PID 1) in private namespaces, for testing unit files end to end.

Boots the host's own `/lib/systemd/systemd` as PID 1 of new pid/mount/cgroup/uts/ipc/net
namespaces, inside its own cgroup2 subgroup, with a private view of everything it could write:

    /run, /dev            tmpfs (a few device nodes; /dev/console is a log file)
    /etc                  overlayfs over the host's /etc (upper layer in the temp dir)
    /var/lib, /var/log    bind mounts of temp dirs (host-visible: <tmp>/var-lib, <tmp>/var-log)
    /usr/local/bin        bind mount of <tmp>/bin (install binaries with `install_binary`)
    /proc/sys             read-only
    extra `binds`         e.g. {"/etc/tiffshard": host_dir}, created in the overlay

    /tmp, /var/tmp        tmpfs (so PrivateTmp= leaves nothing on the host)
    /run/harness          bind mount of the temp dir

Units come only from `<tmp>/units` (SYSTEMD_UNIT_PATH=/run/harness/units): a minimal set of
standard targets copied from /lib/systemd/system, journald, and whatever the test installs.
No generators run. Paths given to `run()` are container paths.

Every wait has a deadline (HarnessError on expiry), and `teardown()` (also via `with`) always
ends everything: `systemctl exit`, then SIGKILL through `cgroup.kill`, then removes the cgroups
and the temp dir. Requires root, unshare/nsenter (util-linux) and a cgroup2 hierarchy.

    with SystemdHarness(binds={"/etc/tiffshard": conf}) as sd:
        sd.add_user("tiffshard")
        sd.install_binary("tiffshard", "/path/to/tiffshard")
        sd.boot()
        sd.install_unit("tiffshard.service", open("systemd/tiffshard.service").read())
        sd.start("tiffshard.service")
        print(sd.show("tiffshard.service", "ActiveState", "StatusText"))
"""

from __future__ import annotations

import os
import re
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


class HarnessError(RuntimeError):
    """Something in the harness failed or timed out; the message says what and where."""


class Terminated(BaseException):
    """The run was told to stop (SIGTERM/SIGHUP, or an overall deadline): like
    KeyboardInterrupt, it passes `except Exception` so the run ends, but `finally` runs."""


def raise_on_termination() -> None:
    """Turn SIGTERM/SIGHUP into `Terminated`, so `finally`/`with` teardown still runs."""
    def handler(signum, _frame):
        raise Terminated(f"terminated by signal {signal.Signals(signum).name}")
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def sweep_stale() -> None:
    """Remove what a SIGKILLed earlier run left: its cgroup (killing PID 1 and all under it)
    and its temp dir. A run's cgroup is named tiffshard-test-<creator pid>-<temp suffix>."""
    root = _cgroup2_root()
    if root is None:
        return
    for cg in root.glob("tiffshard-test-*-*"):
        _, _, rest = cg.name.partition("tiffshard-test-")
        pid, _, suffix = rest.partition("-")
        if pid.isdigit() and _alive(int(pid)):
            continue  # its creator is alive: a concurrent run, not ours to touch
        stale = SystemdHarness.__new__(SystemdHarness)
        stale.cgroup, stale.verbose = cg, False
        stale._kill_cgroup()
        stale._remove_cgroup()
        shutil.rmtree(Path(tempfile.gettempdir()) / f"tiffshard-sd.{suffix}", ignore_errors=True)


def unavailable_reason() -> str | None:
    """Why this machine cannot run the harness, or None if it can."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("unshare", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} not found"
    if not Path("/lib/systemd/systemd").exists():
        return "/lib/systemd/systemd not found"
    if _cgroup2_root() is None:
        return "no cgroup2 hierarchy mounted"
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount", "--cgroup", "--uts", "--ipc",
                            "--net", "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"unshare failed: {probe.stderr.strip()}"
    return None


def _alive(pid: int) -> bool:
    """Whether pid is a live process (not gone, not a zombie nobody reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _cgroup2_root() -> Path | None:
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


class SystemdHarness:
    """One throw-away systemd instance; see the module doc string."""

    def __init__(self, binds: dict[str, str] | None = None, timeout: float = 60.0,
                 keep: bool = False, verbose: bool = False):
        self.binds = dict(binds or {})
        self.timeout = timeout
        self.keep = keep
        self.verbose = verbose
        self.tmp = Path(tempfile.mkdtemp(prefix="tiffshard-sd."))
        self.units = self.tmp / "units"
        self.console = self.tmp / "console.log"
        self.var_lib = self.tmp / "var-lib"
        self.var_log = self.tmp / "var-log"
        self.bin = self.tmp / "bin"
        for d in (self.units, self.var_lib, self.var_log, self.bin, self.tmp / "empty",
                  self.tmp / "etc-upper", self.tmp / "etc-work"):
            d.mkdir(parents=True)
        self.console.touch()
        self.cgroup: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.pid1: int | None = None
        for name in STANDARD_UNITS:
            if (Path("/lib/systemd/system") / name).exists():
                shutil.copy(Path("/lib/systemd/system") / name, self.units / name)
        os.symlink("multi-user.target", self.units / "default.target")
        for wants, unit in (("sockets.target.wants", "systemd-journald.socket"),
                            ("sockets.target.wants", "systemd-journald-dev-log.socket"),
                            ("sysinit.target.wants", "systemd-journald.service")):
            (self.units / wants).mkdir(exist_ok=True)
            os.symlink(f"../{unit}", self.units / wants / unit)

    # -- setup before boot ------------------------------------------------------------------

    def add_user(self, name: str) -> None:
        """Add a system user+group `name` to the private /etc (the host's /etc is untouched)."""
        upper = self.tmp / "etc-upper"
        uid = 990
        for f in ("passwd", "group"):
            target = upper / f
            if not target.exists():
                shutil.copy(Path("/etc") / f, target)
        used = {int(l.split(":")[2]) for l in (upper / "passwd").read_text().splitlines() if l}
        used |= {int(l.split(":")[2]) for l in (upper / "group").read_text().splitlines() if l}
        while uid in used:
            uid -= 1
        with open(upper / "passwd", "a") as f:
            f.write(f"{name}:x:{uid}:{uid}:{name}:/nonexistent:/usr/sbin/nologin\n")
        with open(upper / "group", "a") as f:
            f.write(f"{name}:x:{uid}:\n")

    def install_binary(self, name: str, source: str | os.PathLike, mode: int = 0o755) -> str:
        """Copy `source` to /usr/local/bin/`name` of the container; returns that path."""
        dest = self.bin / name
        shutil.copy(source, dest)
        os.chmod(dest, mode)
        return f"/usr/local/bin/{name}"

    def _init_script(self) -> str:
        t = shlex.quote(str(self.tmp))
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
        for inside, outside in self.binds.items():
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

    # -- life cycle ---------------------------------------------------------------------------

    def boot(self) -> None:
        """Start PID 1 and wait until it has reached default.target (or failed trying)."""
        root = _cgroup2_root()
        if root is None:
            raise HarnessError("no cgroup2 hierarchy")
        sweep_stale()
        self.cgroup = root / f"tiffshard-test-{os.getpid()}-{self.tmp.name.split('.')[-1]}"
        self.cgroup.mkdir()
        init = self.tmp / "init.sh"
        init.write_text(self._init_script())
        init.chmod(0o755)
        cmd = (f"echo $$ > {shlex.quote(str(self.cgroup / 'cgroup.procs'))} && exec unshare "
               "--pid --fork --mount-proc --mount --cgroup --uts --ipc --net "
               f"--propagation private {shlex.quote(str(init))}")
        log = open(self.tmp / "unshare.log", "wb")
        self.proc = subprocess.Popen(["sh", "-c", cmd], stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.pid1 = self._wait(self._find_pid1, "PID 1 to start")
        state = self._wait(self._system_state, "systemd to finish booting",
                           ok=lambda s: s in ("running", "degraded"))
        if state == "degraded":
            failed = self.systemctl("--failed", "--no-legend", check=False).stdout
            self._log(f"systemd booted degraded: {failed.strip()}")

    def _find_pid1(self) -> int | None:
        if self.proc.poll() is not None:
            raise HarnessError(f"unshare exited with {self.proc.returncode}: {self.diagnostics()}")
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except FileNotFoundError:
            return None
        if not children.split():
            return None
        pid = int(children.split()[0])
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return None
        return pid if exe.endswith("/systemd") else None

    def _system_state(self) -> str | None:
        r = self.systemctl("is-system-running", check=False, timeout=10)
        state = r.stdout.strip()
        return None if state in ("", "initializing", "starting", "offline", "unknown") else state

    def teardown(self) -> None:
        """Stop PID 1 and everything under it, remove cgroups and the temp dir.

        SIGTERM/SIGHUP/SIGINT are ignored meanwhile, so that a second request to stop does not
        interrupt the clean-up half way (SIGKILL still does; `sweep_stale` mops up after it).
        """
        saved = {sig: signal.signal(sig, signal.SIG_IGN)
                 for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
        try:
            self._teardown()
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    def _teardown(self) -> None:
        try:
            if self.proc is not None and self.proc.poll() is None:
                if self.pid1 is not None:
                    self.systemctl("exit", check=False, timeout=10)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._log("systemd did not exit in time; killing the cgroup")
        finally:
            self._kill_cgroup()
            if self.proc is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            self._remove_cgroup()
            if not self.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)
            else:
                self._log(f"kept {self.tmp}")

    def _kill_cgroup(self) -> None:
        if self.cgroup is None or not self.cgroup.exists():
            return
        kill = self.cgroup / "cgroup.kill"
        if kill.exists():
            kill.write_text("1")
        else:  # kernels before 5.14: kill what is listed, bottom-up
            for d in sorted(self.cgroup.rglob("*"), key=lambda p: -len(p.parts)) + [self.cgroup]:
                if (d / "cgroup.procs").exists():
                    for pid in (d / "cgroup.procs").read_text().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._cgroup_pids():
            time.sleep(0.05)

    def _cgroup_pids(self) -> list[str]:
        pids = []
        for procs in self.cgroup.rglob("cgroup.procs"):
            try:
                pids += procs.read_text().split()
            except OSError:
                pass
        return pids

    def _remove_cgroup(self) -> None:
        if self.cgroup is None or not self.cgroup.exists():
            return
        dirs = sorted((p for p in self.cgroup.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
        for d in dirs + [self.cgroup]:
            try:
                d.rmdir()
            except OSError as e:
                self._log(f"could not remove cgroup {d}: {e}")

    def __enter__(self) -> "SystemdHarness":
        return self

    def __exit__(self, *exc) -> None:
        self.teardown()

    # -- talking to PID 1 -------------------------------------------------------------------

    def run(self, *argv: str, check: bool = True, timeout: float | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Run a command inside the container's namespaces (as root)."""
        if self.pid1 is None:
            raise HarnessError("not booted")
        cmd = ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "-C", "--", *argv]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, input=input,
                               timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired as e:
            raise HarnessError(f"timed out after {e.timeout}s: {shlex.join(argv)}") from None
        if check and r.returncode != 0:
            raise HarnessError(f"{shlex.join(argv)} exited {r.returncode}: "
                               f"{r.stderr.strip() or r.stdout.strip()}")
        return r

    def systemctl(self, *args: str, **kw) -> subprocess.CompletedProcess:
        """`systemctl ARGS` against the container's PID 1."""
        return self.run("systemctl", "--no-pager", *args, **kw)

    def install_unit(self, name: str, text: str, dropins: dict[str, str] | None = None,
                     reload: bool = True) -> None:
        """Write a unit (and drop-ins NAME.d/KEY.conf) to the private unit dir, daemon-reload."""
        (self.units / name).write_text(text)
        for key, body in (dropins or {}).items():
            d = self.units / f"{name}.d"
            d.mkdir(exist_ok=True)
            (d / f"{key}.conf").write_text(body)
        if reload and self.pid1 is not None:
            self.systemctl("daemon-reload")

    def show(self, unit: str, *props: str) -> dict[str, str]:
        """`systemctl show -p ...` as a dict."""
        out = self.systemctl("show", unit, *(f"--property={p}" for p in props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def start(self, unit: str, timeout: float | None = None) -> None:
        """Start and wait for the start job (for Type=notify: until READY=1)."""
        self.systemctl("start", unit, timeout=timeout)

    def stop(self, unit: str, timeout: float | None = None) -> None:
        """Stop and wait for the stop job (until the main process has exited)."""
        self.systemctl("stop", unit, timeout=timeout)

    def reload(self, unit: str, timeout: float | None = None, notify: bool = True) -> None:
        """Reload and wait until the service itself has finished reloading.

        systemd 252 races here: `systemctl reload` returns as soon as ExecReload= (kill -HUP)
        exits, possibly before the service has even sent RELOADING=1, and the short
        "reloading" ActiveState is easily missed by polling. PID 1 runs at debug log level, so
        it journals every notification it receives: with `notify` we wait for RELOADING=1 and
        then READY=1 from the service after our journal cursor.
        """
        cursor = self.journal_cursor()
        self.systemctl("reload", unit, timeout=timeout)
        if notify:
            self._wait(lambda: self._reload_notified(unit, cursor),
                       f"{unit}: RELOADING=1 then READY=1 after reload", timeout=timeout)
        self.wait_for(unit, lambda p: p["ActiveState"] == "active", "active after reload",
                      timeout=timeout)

    def _reload_notified(self, unit: str, cursor: str) -> bool | None:
        seen_reloading = False
        for line in self.journal(unit, after_cursor=cursor, lines=100000, match="Got notification message").splitlines():
            if "Got notification message" not in line:
                continue
            if "RELOADING=1" in line:
                seen_reloading = True
            elif seen_reloading and "READY=1" in line:
                return True
        return None

    def journal_cursor(self) -> str:
        """The journal's current end, for `journal(after_cursor=...)`."""
        out = self.run("journalctl", "--show-cursor", "-n", "0", "-q", check=False, timeout=20).stdout
        for line in out.splitlines():
            if line.startswith("-- cursor: "):
                return line[len("-- cursor: "):].strip()
        return ""

    def kill(self, unit: str, sig: str = "SIGTERM", who: str = "main") -> None:
        """`systemctl kill --kill-who=WHO --signal=SIG UNIT`."""
        self.systemctl("kill", f"--kill-who={who}", f"--signal={sig}", unit)

    def wait_for(self, unit: str, predicate, what: str, timeout: float | None = None,
                 props: tuple[str, ...] = ("ActiveState", "SubState", "StatusText", "NRestarts",
                                           "MainPID", "Result")) -> dict[str, str]:
        """Poll `show` until predicate(props) holds; returns the props. Raises on timeout."""
        return self._wait(lambda: (p := self.show(unit, *props)) and (p if predicate(p) else None),
                          f"{unit}: {what}", timeout=timeout)

    def journal(self, unit: str | None = None, lines: int = 200, after_cursor: str = "",
                match: str = "", hide_notify: bool = False) -> str:
        """The last lines of the journal (of one unit, after a cursor), oldest first.

        `match` keeps only lines matching that regex; `hide_notify` drops PID 1's debug lines
        about each sd_notify message. (journalctl 252 prints `-n` together with `--grep`
        newest first, so filtering happens here.)
        """
        args = ["journalctl", "--no-pager", "-q", "-o", "short-monotonic"]
        if unit:
            args += ["-u", unit]
        if after_cursor:
            args += [f"--after-cursor={after_cursor}"]
        out = self.run(*args, check=False, timeout=20).stdout.splitlines()
        if match:
            out = [l for l in out if re.search(match, l)]
        if hide_notify:
            out = [l for l in out if "Got notification message" not in l]
        return "\n".join(out[-lines:])

    def diagnostics(self) -> str:
        """PID 1's console log and the unshare output, for failure reports."""
        parts = []
        for f in (self.tmp / "unshare.log", self.console):
            try:
                parts.append(f"--- {f.name}\n" + f.read_text(errors="replace")[-4000:])
            except OSError:
                pass
        return "\n".join(parts)

    # -- helpers ------------------------------------------------------------------------------

    def _wait(self, probe, what: str, ok=lambda v: v is not None, timeout: float | None = None):
        deadline = time.monotonic() + (timeout or self.timeout)
        value = None
        while time.monotonic() < deadline:
            value = probe()
            if ok(value):
                return value
            time.sleep(0.1)
        raise HarnessError(f"timed out waiting for {what} (last: {value!r})")

    def _log(self, msg: str) -> None:
        if self.verbose:
            print(f"[harness] {msg}", flush=True)
