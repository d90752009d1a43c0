"""The systemd side of sd_notify, for the fault suite (Tests/faults) and the benchmarks (bench/).

`NotifyListener` binds an AF_UNIX datagram socket whose path goes into the daemon's NOTIFY_SOCKET and
records every datagram in a background thread, with the time it arrived. A case waits for a message
(`wait_for("READY", "1")`), counts them (`count("STOPPING", "1")`) or waits for the next one after a
mark (`wait_for("STATUS", after=mark)`): the daemon refreshes STATUS about once a second from its
reactor loop, so a new STATUS line proves the loop has run since the mark (see sd_notify(3)).

Standard library only, so bench/ can import it without the fault kit's numpy/tifffile dependencies.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass

__all__ = ["Message", "NotifyListener"]


@dataclass(frozen=True)
class Message:
    """One sd_notify datagram: when it arrived (time.monotonic()) and its `KEY=value` lines."""

    time: float
    fields: dict[str, str]
    raw: str

    def has(self, key: str, value: str | None = None) -> bool:
        """Whether the datagram carries `key` (with exactly `value`, if given)."""
        return key in self.fields and (value is None or self.fields[key] == value)


class NotifyListener:
    """A bound AF_UNIX datagram socket collecting sd_notify messages in order, in a background thread."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = str(path)
        if len(os.fsencode(self.path)) >= 108:  # sizeof(sun_path), unix(7)
            raise ValueError(f"notify socket path too long for AF_UNIX: {self.path}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._socket.bind(self.path)
        self._socket.settimeout(0.05)
        self._messages: list[Message] = []
        self._changed = threading.Condition()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="notify", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._closed.is_set():
            try:
                data = self._socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode("utf-8", "replace")
            fields = dict(line.split("=", 1) for line in text.split("\n") if "=" in line)
            with self._changed:
                self._messages.append(Message(time.monotonic(), fields, text))
                self._changed.notify_all()

    @property
    def messages(self) -> list[Message]:
        """A snapshot of every message so far, oldest first."""
        with self._changed:
            return list(self._messages)

    def mark(self) -> int:
        """The number of messages so far: pass it as `after` to wait for a later one."""
        with self._changed:
            return len(self._messages)

    def count(self, key: str, value: str | None = None) -> int:
        """How many messages carried `key` (= `value`)."""
        with self._changed:
            return sum(1 for m in self._messages if m.has(key, value))

    def wait_for(self, key: str, value: str | None = None, after: int = 0,
                 timeout: float = 30.0) -> Message | None:
        """The first message (at index >= `after`) carrying `key` (= `value`); None after `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for m in self._messages[after:]:
                    if m.has(key, value):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    def statuses(self) -> list[str]:
        """Every STATUS= text, oldest first."""
        with self._changed:
            return [m.fields["STATUS"] for m in self._messages if "STATUS" in m.fields]

    def last_status(self) -> str:
        """The latest STATUS= text ("" before the first)."""
        statuses = self.statuses()
        return statuses[-1] if statuses else ""

    def close(self) -> None:
        """Stops the thread, closes and unlinks the socket (idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._thread.join(timeout=1)
        self._socket.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
