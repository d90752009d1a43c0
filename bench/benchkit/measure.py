"""Wall time, CPU time and peak memory of a command and every process it starts.

CPU: `getrusage(RUSAGE_CHILDREN)` before and after. It only counts processes
that were waited for, so this process makes itself a child subreaper
(`prctl(PR_SET_CHILD_SUBREAPER)`): a worker orphaned by its parent is
re-parented to us instead of init, and `reap_descendants` waits for it, so its
CPU time is counted too.

Memory: a thread samples the process tree every ~20 ms and sums, over all
live descendants, `Pss` from /proc/PID/smaps_rollup. PSS divides each shared
page by the number of processes mapping it, so shared memory (the dataset
segment, the shard ring, copy-on-write pages after fork, shared libraries) is
counted once. The peak of the plain sum of `Rss` is kept for reference; it
counts every shared page once per process.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Adopt orphaned descendants so they can be reaped and their CPU counted."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _parent_of(pid: int) -> int | None:
    """The parent pid from /proc/PID/stat, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: split after the last ')'.
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _memory_of(pid: int) -> tuple[int, int]:
    """(Pss, Rss) of one process in KiB; (0, 0) if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            text = handle.read()
    except OSError:
        return 0, 0
    pss = rss = 0
    for line in text.splitlines():
        if line.startswith(b"Pss:"):
            pss = int(line.split()[1])
        elif line.startswith(b"Rss:"):
            rss = int(line.split()[1])
    return pss, rss


class TreeMonitor:
    """Samples the memory of every descendant of this process until stopped."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.root = os.getpid()
        self.members: set[int] = set()
        self.strangers: set[int] = set()
        self.peak_pss_kib = 0
        self.peak_rss_kib = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tree-monitor", daemon=True)

    def start(self) -> "TreeMonitor":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _refresh(self) -> None:
        live = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self.members &= live
        self.strangers &= live
        unknown = sorted(live - self.members - self.strangers)
        # A process is ours if its parent is us or ours; parents usually have lower
        # pids, but loop until nothing changes in case pids wrapped around.
        parents = {pid: _parent_of(pid) for pid in unknown}
        changed = True
        while changed:
            changed = False
            for pid in list(parents):
                parent = parents[pid]
                if parent == self.root or parent in self.members:
                    self.members.add(pid)
                    del parents[pid]
                    changed = True
        self.strangers.update(pid for pid, parent in parents.items() if parent is not None)

    def sample(self) -> None:
        """Take one sample now (also called by the sampling thread)."""
        self._refresh()
        pss = rss = 0
        for pid in self.members:
            p, r = _memory_of(pid)
            pss += p
            rss += r
        self.samples += 1
        self.peak_pss_kib = max(self.peak_pss_kib, pss)
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        self.peak_processes = max(self.peak_processes, len(self.members))

    def descendants(self) -> list[int]:
        """Live descendants of this process right now."""
        self._refresh()
        return sorted(self.members)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)


def reap_descendants(timeout: float = 30.0) -> int:
    """Wait for every remaining child (adopted orphans included); returns how many
    had to be killed because they outlived `timeout` seconds."""
    deadline = time.monotonic() + timeout
    killed = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return killed
        if pid:
            continue
        if time.monotonic() > deadline:
            for child in TreeMonitor().descendants():
                os.kill(child, signal.SIGKILL)
                killed += 1
            deadline = float("inf")
        time.sleep(0.005)


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user).
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def reap_zombies() -> None:
    """Collect already-exited children without waiting for live ones."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return


@dataclass
class Measurement:
    """One measured run of a command."""

    command: list[str]
    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_system_s: float
    peak_pss_mib: float
    peak_rss_mib: float
    peak_processes: int
    samples: int
    killed_stragglers: int
    background_cpu_s: float = 0.0
    stderr: str = ""
    stdout: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_system_s

    @property
    def background_cores(self) -> float:
        """Average cores busy with something else (other users, this harness) during the run."""
        return self.background_cpu_s / self.wall_s if self.wall_s else 0.0

    def last_stderr_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def run_measured(command: list[str], interval: float = 0.02, env: dict | None = None, cwd: str | None = None) -> Measurement:
    """Run `command` to completion and measure it with its whole process tree."""
    reap_zombies()  # nothing of an earlier run may be counted in this one
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    monitor = TreeMonitor(interval).start()
    busy_before = machine_busy_seconds()
    started = time.monotonic()
    # Output goes to files, not pipes: with pipes, waiting for EOF would also wait
    # for any worker that inherited them, and the wall time would include it.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        process.wait()
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    killed = reap_descendants()
    monitor.sample()
    monitor.stop()
    busy = machine_busy_seconds() - busy_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measurement(
        command=command,
        returncode=process.returncode,
        wall_s=wall,
        cpu_user_s=after.ru_utime - before.ru_utime,
        cpu_system_s=after.ru_stime - before.ru_stime,
        peak_pss_mib=monitor.peak_pss_kib / 1024,
        peak_rss_mib=monitor.peak_rss_kib / 1024,
        peak_processes=monitor.peak_processes,
        samples=monitor.samples,
        killed_stragglers=killed,
        background_cpu_s=max(0.0, busy - cpu),
        stderr=stderr,
        stdout=stdout,
    )
