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

from container import (CGROUP_PREFIX, TMP_PREFIX, cgroup2_root, init_script, kill_cgroup,
                       remove_cgroup, sweep_stale, unit_dir, unavailable_reason)

__all__ = ["HarnessError", "SystemdHarness", "Terminated", "raise_on_termination",
           "unavailable_reason"]

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



class SystemdHarness:
    """One throw-away systemd instance; see the module doc string."""

    def __init__(self, binds: dict[str, str] | None = None, timeout: float = 60.0,
                 keep: bool = False, verbose: bool = False):
        self.binds = dict(binds or {})
        self.timeout = timeout
        self.keep = keep
        self.verbose = verbose
        self.tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))
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
        unit_dir(self.units)

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

    # -- life cycle ---------------------------------------------------------------------------

    def boot(self) -> None:
        """Start PID 1 and wait until it has reached default.target (or failed trying)."""
        root = cgroup2_root()
        if root is None:
            raise HarnessError("no cgroup2 hierarchy")
        sweep_stale()
        self.cgroup = root / f"{CGROUP_PREFIX}{os.getpid()}-{self.tmp.name[len(TMP_PREFIX):]}"
        self.cgroup.mkdir()
        init = self.tmp / "init.sh"
        init.write_text(init_script(self.tmp, self.binds))
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
            if self.cgroup is not None:
                kill_cgroup(self.cgroup)
            if self.proc is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            for error in remove_cgroup(self.cgroup) if self.cgroup is not None else []:
                self._log(error)
            if not self.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)
            else:
                self._log(f"kept {self.tmp}")

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
        notes = self.journal(unit, after_cursor=cursor, lines=100000, match="Got notification message")
        for line in notes.splitlines():
            if "RELOADING=1" in line:
                seen_reloading = True
            elif seen_reloading and "READY=1" in line:
                return True
        return None

    def journal_cursor(self) -> str:
        """The journal's current end, for `journal(after_cursor=...)`."""
        out = self.run("journalctl", "--show-cursor", "-n", "0", "-q", check=False,
                       timeout=20).stdout
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
        def probe():
            p = self.show(unit, *props)
            return p if predicate(p) else None
        return self._wait(probe, f"{unit}: {what}", timeout=timeout)

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
