"""Driving `tiffshard run` as systemd would: a notify socket, SIGTERM to stop.

The notify socket is `NotifyListener` from `Tests/support/notify_listener.py`, the one the fault
suite uses too (standard library only). `ShardWatcher` polls the output directory
every 2 ms and notes when each shard is published (its final-named `.jsonl`
and `.npy` both exist) and which sources it holds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from . import tiffshard

# The listener shared with the fault suite lives in the test support directory (not a package).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "support"))
from notify_listener import NotifyListener  # noqa: E402


class DaemonFailed(RuntimeError):
    """The daemon exited or never became ready."""


class Daemon:
    """One `tiffshard run` process with its notify socket and log file in `workdir`."""

    def __init__(self, binary: str, arguments: list[str], workdir: str) -> None:
        self.command = [binary, "run", *arguments]
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "daemon.log")
        self.notify: NotifyListener | None = None
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        self.notify = NotifyListener(os.path.join(self.workdir, "notify.sock"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHDOG_", "NOTIFY_"))}
        env["NOTIFY_SOCKET"] = self.notify.path
        with open(self.log_path, "wb") as log:
            self.started = time.monotonic()
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.workdir, env=env)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from start to READY=1; raises DaemonFailed if it exits or times out."""
        deadline = time.monotonic() + timeout
        while (ready := self.notify.wait_for("READY", "1", timeout=0.01)) is None:
            if self.process.poll() is not None:
                raise DaemonFailed(f"exited with {self.process.returncode} before READY=1:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise DaemonFailed(f"no READY=1 within {timeout:.0f} s:\n{self.log_tail()}")
        return ready.time - self.started

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, wait for exit (SIGKILL after `timeout`); returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.notify.close()
        return self.process.returncode

    def log_tail(self, lines: int = 15) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except FileNotFoundError:
            return ""


class ShardWatcher:
    """Polls an output directory and records when each source's shard was published."""

    def __init__(self, output: str, interval: float = 0.002) -> None:
        self.output = output
        self.interval = interval
        self.published: dict[str, float] = {}
        self.duplicates: list[str] = []
        self.rows = 0
        self.shards: list[tuple[float, str, int]] = []
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="shard-watcher", daemon=True)

    def start(self) -> "ShardWatcher":
        self._thread.start()
        return self

    def poll(self) -> None:
        for stem in tiffshard.published_manifests(self.output):
            if stem in self._seen:
                continue
            now = time.monotonic()
            self._seen.add(stem)
            records = tiffshard.read_manifest(os.path.join(self.output, stem + ".jsonl"))
            self.shards.append((now, stem, len(records)))
            self.rows += len(records)
            for record in records:
                source = record["source"]
                if source in self.published:
                    self.duplicates.append(source)
                else:
                    self.published[source] = now

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)

    def wait_rows(self, rows: int, timeout: float, daemon: Daemon | None = None) -> bool:
        """Wait until `rows` rows are published; False on timeout or if the daemon died."""
        deadline = time.monotonic() + timeout
        while self.rows < rows:
            if time.monotonic() > deadline or (daemon is not None and not daemon.alive()):
                return False
            time.sleep(0.002)
        return True

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()
