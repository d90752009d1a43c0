#!/usr/bin/python3
"""A stand-in for `tiffshard` that speaks the same systemd protocol, for the harness self-test.

Usage: standin_service.py check-config --config FILE | run --config FILE [OPTION...]
The config is YAML with flat `key: value` lines; only `width` is used. `run`:
READY=1 + STATUS once started; WATCHDOG=1 every WATCHDOG_USEC/2; STATUS once a second;
SIGHUP -> RELOADING=1 + MONOTONIC_USEC, re-read config, READY=1 + STATUS;
SIGTERM -> STOPPING=1, exit 0. Only the standard library (it runs under /usr/bin/python3).
"""
import os
import select
import signal
import socket
import sys
import time


def notify(message: str) -> None:
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
        s.sendto(message.encode(), path)


def read_config(path: str) -> dict:
    config = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.partition(":")
            if sep and not line.lstrip().startswith("#"):
                config[key.strip()] = value.strip()
    int(config.get("width", "128"))
    return config


def main(argv: list) -> int:
    # Further options (e.g. --instance NAME from tiffshard@.service) are accepted and ignored.
    if len(argv) < 4 or argv[1] not in ("run", "check-config") or argv[2] != "--config":
        print("usage: standin_service.py run|check-config --config FILE [OPTION...]",
              file=sys.stderr)
        return 64
    try:
        config = read_config(argv[3])
    except (OSError, ValueError) as e:
        print(f"config error: {e}", file=sys.stderr)
        return 78
    if argv[1] == "check-config":
        return 0

    # Self-pipe: signal handlers only write a byte; the loop does the work.
    rfd, wfd = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
    signal.set_wakeup_fd(wfd)
    pending = []
    signal.signal(signal.SIGHUP, lambda *_: pending.append("hup"))
    signal.signal(signal.SIGTERM, lambda *_: pending.append("term"))

    watchdog = int(os.environ.get("WATCHDOG_USEC", "0")) / 2e6
    reloads = 0

    def status() -> str:
        return f"STATUS=stand-in running: width {config.get('width', '128')}, {reloads} reloads"

    notify("READY=1\n" + status())
    print("stand-in ready", flush=True)
    next_ping = next_status = time.monotonic()
    while True:
        now = time.monotonic()
        if watchdog and now >= next_ping:
            notify("WATCHDOG=1")
            next_ping = now + watchdog
        if now >= next_status:
            notify(status())
            next_status = now + 1
        wait = min(next_status, next_ping if watchdog else next_status) - now
        select.select([rfd], [], [], max(wait, 0))
        try:
            os.read(rfd, 64)
        except BlockingIOError:
            pass
        while pending:
            event = pending.pop(0)
            if event == "term":
                notify("STOPPING=1\nSTATUS=stand-in stopping")
                print("stand-in stopping", flush=True)
                return 0
            usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            notify(f"RELOADING=1\nMONOTONIC_USEC={usec}")
            try:
                config = read_config(argv[3])
                reloads += 1
            except (OSError, ValueError) as e:
                print(f"reload failed, keeping old config: {e}", flush=True)
            notify("READY=1\n" + status())
            print(f"stand-in reloaded: width {config.get('width')}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
