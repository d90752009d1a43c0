"""Helpers for the fault-injection cases of issue 4, items 2-8 (`test_*_b.py`).

Everything is real: the `tiffshard run` daemon as a child process, a NOTIFY_SOCKET datagram
socket that records what it tells systemd, TIFF files written into real directories, signals
sent to real pids. Nothing here mocks the daemon.

Case convention (the one `run.py` collects): module-level functions `test_<name>(ctx)`; `ctx` is the
runner's `faultkit.Context` (also for standalone runs: `binary`, `quick`,
`injected()`, `verified()`, `note()`, `record()`, `tmpdir()`). A case passes when it returns and
fails when it raises; a case that cannot inject its fault here says `SKIP: ...` and returns.
Each module also runs alone: `python3 Tests/faults/test_x_b.py [--binary PATH] [name ...]`.

    with DaemonUnderTest(ctx, "kill", workers=2) as d:
        d.start()
        d.drop_many(["a.tif", "b.tif"])
        d.wait_rows(2)
        assert_exactly_once(d.rows(), ["a.tif", "b.tif"])
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import tifffile

import faultkit as fk  # the runner's Context, also used when a module runs on its own

REPO = Path(__file__).resolve().parents[2]


TAG_VARIABLE = "FAULTKIT_TAG"  # the runner finds stray daemons and workers by this inherited variable


def eventually(predicate, timeout: float, what: str, interval: float = 0.05):
    """Polls `predicate` until it returns a truthy value; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


# --- TIFF files -------------------------------------------------------------------------------

_tiff_cache: dict[tuple[int, int, int], bytes] = {}


def tiff_bytes(seed: int = 0, width: int = 16, height: int = 12) -> bytes:
    """A small valid 8-bit grayscale TIFF (cached per seed and size)."""
    key = (seed % 251, width, height)
    if key not in _tiff_cache:
        pixels = ((np.arange(width * height, dtype=np.uint32).reshape(height, width) * 7 + key[0] * 13) % 256)
        buffer = io.BytesIO()
        tifffile.imwrite(buffer, pixels.astype(np.uint8))
        _tiff_cache[key] = buffer.getvalue()
    return _tiff_cache[key]


def lying_tiff(width: int, height: int, *, compression: int = 8, strip: bytes | None = None,
               rows_per_strip: int | None = None) -> bytes:
    """A classic little-endian 8-bit grayscale TIFF whose header declares `width` x `height`.

    The strips all point at the same tiny `strip` data (by default one deflate-compressed row of
    zeros), so a 20000 x 20000 image costs ~160 kB of offsets; `strip=b"garbage"` makes it lie."""
    rows = rows_per_strip or 1
    strips = (height + rows - 1) // rows
    if strip is None:
        strip = zlib.compress(bytes(width * rows), 9) if compression == 8 else bytes(width * rows)
    entries = 10
    ifd_offset = 8
    ifd_size = 2 + entries * 12 + 4
    data_offset = ifd_offset + ifd_size
    offsets_offset = data_offset + len(strip)
    counts_offset = offsets_offset + 4 * strips
    def entry(tag: int, kind: int, count: int, value: int) -> bytes:
        if kind == 3 and count == 1:
            return struct.pack("<HHIHH", tag, kind, count, value, 0)
        return struct.pack("<HHII", tag, kind, count, value)
    ifd = struct.pack("<H", entries) + b"".join([
        entry(256, 4, 1, width), entry(257, 4, 1, height), entry(258, 3, 1, 8),
        entry(259, 3, 1, compression), entry(262, 3, 1, 1),
        entry(273, 4, strips, offsets_offset if strips > 1 else data_offset),
        entry(277, 3, 1, 1), entry(278, 4, 1, rows),
        entry(279, 4, strips, counts_offset if strips > 1 else len(strip)),
        entry(284, 3, 1, 1),
    ]) + struct.pack("<I", 0)
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + strip)
    if strips > 1:
        out += struct.pack(f"<{strips}I", *([data_offset] * strips))
        out += struct.pack(f"<{strips}I", *([len(strip)] * strips))
    return bytes(out)


def write_file(path: str | bytes, data: bytes) -> None:
    """Writes `data` to `path` in place (one IN_CLOSE_WRITE)."""
    with open(path, "wb") as f:
        f.write(data)


# --- the daemon ---------------------------------------------------------------------------------

class NotifyListener:
    """A bound AF_UNIX datagram socket recording every sd_notify message, in order."""

    def __init__(self, path: str):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.messages: list[str] = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.closed:
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.messages.append(data.decode("utf-8", "replace"))

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self.messages)

    def statuses(self) -> list[str]:
        return [line[len("STATUS="):] for m in self.snapshot() for line in m.split("\n") if line.startswith("STATUS=")]

    def close(self):
        self.closed = True
        self.thread.join(timeout=1)
        self.sock.close()


def children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (scans /proc; zombies excluded)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return sorted(found)


def syscall_number(pid: int) -> int | None:
    """The system call `pid` is blocked in (x86_64 numbers), or None."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            first = f.read().split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.lstrip("-").isdigit() else None


PAUSE_SYSCALLS = {34, 130}  # x86_64 pause, rt_sigsuspend: a worker held by a `hang:` fault


def paused(pid: int) -> bool:
    """Whether `pid` sleeps in pause()/sigsuspend() (by syscall number on x86_64, else by wchan)."""
    if syscall_number(pid) in PAUSE_SYSCALLS:
        return True
    try:
        with open(f"/proc/{pid}/wchan") as f:
            where = f.read()
    except OSError:
        return False
    return "pause" in where or "sigsuspend" in where


class DaemonUnderTest:
    """One `tiffshard run` in a fresh scratch dir (`ctx.tmpdir`, removed by the runner after a pass):
    ingest/, shards/, processed/, failed/, staging/ (same filesystem, for atomic renames in),
    daemon.log, notify.sock. Flags can be added with `extra`, environment with `env`."""

    def __init__(self, ctx, label: str, *, workers: int = 2, shard_size: int = 64, width: int = 8, height: int = 8,
                 idle_flush: float = 0.3, extra: list[str] | None = None, env: dict[str, str] | None = None,
                 config: dict[str, object] | None = None):
        """With `config`, geometry, workers, shard size and idle flush come from a YAML file
        (`write_config` rewrites it before a SIGHUP) instead of flags, which would win over it."""
        self.ctx = ctx
        self.root = ctx.tmpdir(label)
        self.ingest = os.path.join(self.root, "ingest")
        self.output = os.path.join(self.root, "shards")
        self.processed = os.path.join(self.root, "processed")
        self.failed = os.path.join(self.root, "failed")
        self.staging = os.path.join(self.root, "staging")  # same filesystem, for atomic renames in
        for d in (self.ingest, self.output, self.processed, self.failed, self.staging):
            os.makedirs(d, exist_ok=True)
        self.workers = workers
        self.arguments = [
            "run", "--ingest", self.ingest, "--output", self.output, "--processed-dir", self.processed,
            "--failed-dir", self.failed, "--log-level", "info",
        ]
        self.config_path = os.path.join(self.root, "tiffshard.yaml")
        if config is None:
            self.arguments += ["--width", str(width), "--height", str(height), "--workers", str(workers),
                               "--shard-size", str(shard_size), "--idle-flush", str(idle_flush)]
        else:
            self.write_config(config)
            self.workers = int(config.get("workers", workers))
            self.arguments += ["--config", self.config_path]
        self.arguments += extra or []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TIFFSHARD_")}
        self.env.update(env or {})
        self.env[TAG_VARIABLE] = f"b-{os.getpid()}-{id(self):x}"
        self.process: subprocess.Popen | None = None
        self.notify: NotifyListener | None = None
        self.log_path = os.path.join(self.root, "daemon.log")

    def set_flag(self, flag: str, value: str) -> None:
        """Changes (or adds) `--flag value` for the next `start()`."""
        if flag in self.arguments:
            self.arguments[self.arguments.index(flag) + 1] = value
        else:
            self.arguments += [flag, value]

    def write_config(self, values: dict[str, object]) -> None:
        """Writes the YAML configuration file atomically (flat `key: value` lines)."""
        temporary = self.config_path + ".new"
        with open(temporary, "w") as f:
            f.write("".join(f"{key}: {value}\n" for key, value in values.items()))
        os.rename(temporary, self.config_path)

    # lifecycle

    def start(self, wait_ready: bool = True, timeout: float = 20) -> None:
        if self.notify is None:
            self.notify = NotifyListener(os.path.join(self.root, "notify.sock"))
        self.ready_before = sum(m.count("READY=1") for m in self.notify.snapshot())
        env = dict(self.env, NOTIFY_SOCKET=self.notify.path)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.ctx.binary] + self.arguments, cwd=self.root, env=env,
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        if wait_ready:
            eventually(lambda: self.ready_count() > self.ready_before or self.process.poll() is not None,
                       timeout, "READY=1")
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited {self.process.returncode} before READY=1:\n{self.log()}")
            self.wait_workers(self.workers)

    def ready_count(self) -> int:
        return sum(m.count("READY=1") for m in self.notify.snapshot())

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait; returns the exit status."""
        if not self.alive():
            return self.process.returncode
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"daemon did not exit within {timeout} s of SIGTERM")

    def terminate(self) -> None:
        """Ends the daemon (SIGTERM, then SIGKILL if needed) and its workers."""
        if self.process is not None and self.process.poll() is None:
            workers = children(self.pid)
            try:
                os.kill(self.pid, signal.SIGCONT)
                self.process.terminate()
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for w in workers:
                try:
                    os.kill(w, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def close(self) -> None:
        """Ends the daemon and its workers, closes the notify socket (the runner removes the dir)."""
        self.terminate()
        if self.notify is not None:
            self.notify.close()
            self.notify = None

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None and self.process is not None:
            lines = self.log().splitlines()
            print(f"  daemon log ({self.log_path}), last {min(40, len(lines))} of {len(lines)} lines:", flush=True)
            for line in lines[-40:]:
                print(f"    | {line}", flush=True)
            if self.notify is not None:
                print(f"  last STATUS: {self.status()}", flush=True)
        self.close()

    # observation

    def log(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def status(self) -> str:
        statuses = self.notify.statuses()
        return statuses[-1] if statuses else ""

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def wait_workers(self, n: int, timeout: float = 20) -> list[int]:
        return eventually(lambda: (lambda p: p if len(p) == n else None)(self.worker_pids()), timeout,
                          lambda: f"{n} worker processes (have {self.worker_pids()})")

    def paused_worker(self) -> int | None:
        """A worker held by a `hang:` fault (blocked in pause), if any."""
        for pid in self.worker_pids():
            if paused(pid):
                return pid
        return None

    def worker_reading(self, path: str) -> int | None:
        """The worker that has `path` open right now (inside a decode), if any."""
        for pid in self.worker_pids():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                        return pid
            except OSError:
                continue
        return None

    def rows(self) -> list[dict]:
        return manifest_rows(self.output)

    def failures(self) -> list[dict]:
        return failure_rows(self.failed)

    def wait_rows(self, n: int, timeout: float = 30) -> list[dict]:
        return eventually(lambda: (lambda r: r if len(r) >= n else None)(self.rows()), timeout,
                          lambda: f"{n} published rows (have {len(self.rows())})")

    def wait_failures(self, n: int, timeout: float = 30) -> list[dict]:
        return eventually(lambda: (lambda r: r if len(r) >= n else None)(self.failures()), timeout,
                          lambda: f"{n} rejections in failures.jsonl (have {len(self.failures())})")

    def wait_accounted(self, good: int, bad: int, timeout: float = 30) -> None:
        eventually(lambda: len(self.rows()) >= good and len(self.failures()) >= bad, timeout,
                   lambda: f"{good} rows and {bad} rejections (have {len(self.rows())} and {len(self.failures())})")

    # input

    def drop(self, name: str | bytes, data: bytes) -> None:
        """Writes the file in staging, then renames it into ingest (one IN_MOVED_TO)."""
        staged = os.path.join(os.fsencode(self.staging), os.fsencode(name))
        write_file(staged, data)
        os.rename(staged, os.path.join(os.fsencode(self.ingest), os.fsencode(name)))

    def drop_many(self, names, seed: int = 0) -> list[str]:
        names = list(names)
        for i, name in enumerate(names):
            self.drop(name, tiff_bytes(seed + i))
        return names


# --- the ledger: manifests, failures, directories ------------------------------------------------

def manifest_rows(output: str) -> list[dict]:
    """Every published manifest row, shard by shard (only shards whose `.npy` exists)."""
    rows = []
    for name in sorted(os.listdir(output)):
        if not (name.endswith(".jsonl") and "shard-" in name and not name.startswith(".")):
            continue
        if not os.path.exists(os.path.join(output, name[:-6] + ".npy")):
            continue
        with open(os.path.join(output, name), "rb") as f:
            for line in f.read().decode("utf-8").splitlines():
                record = json.loads(line)
                record["_shard"] = name[:-6]
                rows.append(record)
    return rows


def failure_rows(failed: str) -> list[dict]:
    path = os.path.join(failed, "failures.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [json.loads(line) for line in f.read().decode("utf-8").splitlines() if line.strip()]


def check_shards(output: str) -> int:
    """Every `.npy` loads, its row count equals its manifest's, no temp file is visible as a shard;
    returns the number of shards."""
    count = 0
    for name in sorted(os.listdir(output)):
        if name.startswith("."):
            assert not name.endswith(".npy") or ".tmp" in name, f"odd hidden file {name}"
            continue
        if not name.endswith(".npy"):
            continue
        array = np.load(os.path.join(output, name), mmap_mode="r")
        with open(os.path.join(output, name[:-4] + ".jsonl"), "rb") as f:
            lines = f.read().decode("utf-8").splitlines()
        assert array.shape[0] == len(lines), f"{name}: {array.shape[0]} rows but {len(lines)} manifest lines"
        assert [json.loads(l)["row"] for l in lines] == list(range(len(lines))), f"{name}: rows not 0..n-1"
        count += 1
    return count


def assert_exactly_once(rows: list[dict], good: list[str], *, allow_extra: bool = False) -> None:
    """Each name in `good` appears in exactly one manifest row."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["source"]] = counts.get(r["source"], 0) + 1
    dup = {s: c for s, c in counts.items() if c > 1}
    assert not dup, f"duplicated rows: {dict(list(dup.items())[:5])} ({len(dup)} sources)"
    missing = [g for g in good if g not in counts]
    assert not missing, f"{len(missing)} files never published, e.g. {missing[:5]}"
    if not allow_extra:
        extra = set(counts) - set(good)
        assert not extra, f"unexpected rows: {sorted(extra)[:5]}"


def reasons(failures: list[dict]) -> dict[str, str]:
    return {f["source"]: f["reason"] for f in failures}


def listing(directory: str) -> list[str]:
    return sorted(n for n in os.listdir(directory) if not n.startswith(".") and n != "failures.jsonl")


def run_standalone(module_globals: dict) -> None:
    """`python3 Tests/faults/test_x_b.py [--binary PATH] [--keep] [name ...]`: runs the module's cases."""
    import argparse
    import traceback
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    cases = [(n, f) for n, f in module_globals.items() if n.startswith("test_") and callable(f)]
    if args.cases:
        cases = [(n, f) for n, f in cases if any(c in n for c in args.cases)]
    passed = failed = 0
    for name, function in cases:
        ctx = fk.Context(os.path.abspath(args.binary) if args.binary else fk.DEFAULT_BINARY, quick=True, keep=args.keep)
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        ok = False
        try:
            function(ctx)
            ok = True
        except Exception as error:  # noqa: BLE001
            print(f"    FAILED:   {error}", flush=True)
            traceback.print_exc()
        finally:
            ctx.cleanup(ok)
        for key, value in ctx.numbers.items():
            print(f"    number:   {key} = {value}")
        print(f"   {'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - started:.1f} s)", flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
