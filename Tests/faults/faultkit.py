"""Shared helpers for the tiffshard fault-injection suite (Tests/faults).

Everything here drives the real daemon binary on real files: no mocks.

Case convention (what `run.py` collects): a module `Tests/faults/test_*.py` defines functions
`test_<name>(ctx: Context)`; a case passes when it returns and fails when it raises. A case reports
what it did through `ctx.injected(...)` (the fault) and `ctx.verified(...)` (each guarantee checked),
and may scale itself down when `ctx.quick` is true (CI). `ctx.tmpdir(name)` gives a fresh directory
that is removed after a passing case (kept after a failing one, for post-mortems).

Main pieces:
- `Layout`: ingest/output/processed/failed directories under one root.
- `Daemon`: starts `tiffshard run` with a NOTIFY_SOCKET listener (`Notify`), waits for READY=1,
  SIGKILL / SIGTERM, finds its worker processes (by an environment tag they inherit), fd/RSS probes.
- `Corpus`: deterministic gray8 TIFFs (hand-rolled baseline writer), staged then renamed into the
  ingest directory (atomic `IN_MOVED_TO`), with the expected bytes/mtime/hash of every file.
- `read_store` / `check_store`: the published shards (`.npy` via np.load mmap + `.jsonl` manifests),
  no temporary file visible as a shard, row counts agree.
- `check_exactly_once`: every corpus file in exactly one row of one shard, disposed of per mode.
- `LiveReader`: a concurrent reader that fails on any incomplete `.npy` it ever sees.
- `check_pixels`: rows equal cv2.imread(IMREAD_GRAYSCALE) + cv2.resize of their source.
- `DirWatch`: inotify on a directory (ctypes), to time a kill to a phase (a `.tmp` appears, a `.npy`
  is renamed in, a source is moved).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / ".build" / "debug" / "tiffshard"
TAG_VARIABLE = "FAULTKIT_TAG"  # not TIFFSHARD_*: the daemon reads those as configuration
# One id per runner process, inherited by every daemon it starts (and their workers): lets run.py
# find what *this* run left behind without touching other people's test runs on the same machine.
RUN_VARIABLE = "FAULTKIT_RUN"
os.environ.setdefault(RUN_VARIABLE, uuid.uuid4().hex)


class CaseFailure(AssertionError):
    """A guarantee did not hold."""


class Skip(Exception):
    """The case cannot run on this machine; the runner reports it as skipped."""


def check(condition: bool, message: str) -> None:
    """Raises CaseFailure(message) unless condition holds."""
    if not condition:
        raise CaseFailure(message)


# --------------------------------------------------------------------------------------------------
# Context handed to every case


class Context:
    """What a case gets from the runner: options, output, scratch directories, numbers for the report."""

    def __init__(self, binary: str | os.PathLike = DEFAULT_BINARY, quick: bool = False,
                 seed: int | None = None, verbose: bool = False, keep: bool = False,
                 scratch_root: str | None = None, soak_seconds: float | None = None):
        self.binary = str(binary)
        self.quick = quick
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
        self.random = random.Random(self.seed)
        self.verbose = verbose
        self.keep = keep
        self.soak_seconds = soak_seconds
        self.scratch_root = scratch_root or tempfile.gettempdir()
        self.numbers: dict[str, object] = {}
        self._dirs: list[str] = []
        self.case = ""

    # output ---------------------------------------------------------------------------------------
    def _say(self, kind: str, message: str) -> None:
        print(f"    {kind:9s} {message}", flush=True)

    def injected(self, message: str) -> None:
        """Says which fault the case injects."""
        self._say("injected:", message)

    def verified(self, message: str) -> None:
        """Says which guarantee was checked and held."""
        self._say("verified:", message)

    def note(self, message: str) -> None:
        self._say("note:", message)

    def debug(self, message: str) -> None:
        if self.verbose:
            self._say("debug:", message)

    def record(self, key: str, value: object) -> None:
        """A number for the final report (kills survived, files checked, ...)."""
        self.numbers[key] = value

    # scratch --------------------------------------------------------------------------------------
    def tmpdir(self, name: str = "case") -> str:
        """A fresh directory (on disk, not tmpfs, so fsync takes real time); short path for sockets."""
        path = tempfile.mkdtemp(prefix=f"tsf-{name[:12]}-", dir=self.scratch_root)
        self._dirs.append(path)
        return path

    def cleanup(self, passed: bool) -> None:
        for path in self._dirs:
            if passed and not self.keep:
                shutil.rmtree(path, ignore_errors=True)
            else:
                print(f"    kept:     {path}", flush=True)
        self._dirs.clear()


# --------------------------------------------------------------------------------------------------
# Directories


@dataclass
class Layout:
    """The daemon's directories under one root."""

    root: Path

    @classmethod
    def create(cls, root: str | os.PathLike) -> "Layout":
        layout = cls(Path(root))
        for d in (layout.ingest, layout.output, layout.processed, layout.failed, layout.staging):
            d.mkdir(parents=True, exist_ok=True)
        return layout

    @property
    def ingest(self) -> Path: return self.root / "ingest"
    @property
    def output(self) -> Path: return self.root / "out"
    @property
    def processed(self) -> Path: return self.root / "processed"
    @property
    def failed(self) -> Path: return self.root / "failed"
    @property
    def staging(self) -> Path: return self.root / "staging"
    @property
    def logs(self) -> Path: return self.root / "daemon.log"


# --------------------------------------------------------------------------------------------------
# NOTIFY_SOCKET listener


class Notify:
    """A bound AF_UNIX datagram socket collecting sd_notify messages in a background thread."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if len(self.path.encode()) >= 108:
            raise ValueError(f"notify socket path too long: {self.path}")
        with _suppress(FileNotFoundError):
            os.unlink(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages: list[dict[str, str]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, daemon=True, name="notify")
        self._thread.start()

    def _loop(self) -> None:
        while not self._closed:
            try:
                r, _, _ = select.select([self.sock], [], [], 0.2)
                if not r:
                    continue
                data = self.sock.recv(65536)
            except OSError:
                return
            fields: dict[str, str] = {}
            for line in data.decode("utf-8", "replace").split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    fields[k] = v
            with self._cond:
                self.messages.append(fields)
                self._cond.notify_all()

    def count(self, key: str, value: str | None = None) -> int:
        with self._cond:
            return sum(1 for m in self.messages if key in m and (value is None or m[key] == value))

    def wait_for(self, key: str, value: str | None = None, after: int = 0, timeout: float = 30.0) -> dict | None:
        """Waits for a message (index >= after) carrying key (= value); returns it or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages[after:]:
                    if key in m and (value is None or m[key] == value):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def last_status(self) -> str | None:
        with self._cond:
            for m in reversed(self.messages):
                if "STATUS" in m:
                    return m["STATUS"]
        return None

    def close(self) -> None:
        self._closed = True
        self._thread.join(timeout=1)
        self.sock.close()
        with _suppress(FileNotFoundError):
            os.unlink(self.path)


class _suppress:
    def __init__(self, *exc):
        self.exc = exc

    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        return t is not None and issubclass(t, self.exc)


# --------------------------------------------------------------------------------------------------
# Processes


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def process_state(pid: int) -> str | None:
    """The one-letter state from /proc/PID/stat (None if gone)."""
    raw = _read(f"/proc/{pid}/stat")
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    return text[text.rfind(")") + 2:].split()[0]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie)."""
    state = process_state(pid)
    return state is not None and state not in ("Z", "X")


def tagged_processes(tag: str, variable: str = TAG_VARIABLE) -> list[int]:
    """Live processes whose environment carries FAULTKIT_TAG=tag (the daemon and its workers)."""
    needle = f"{variable}={tag}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        env = _read(f"/proc/{entry}/environ")
        if env and needle in env.split(b"\0") and alive(int(entry)):
            found.append(int(entry))
    return sorted(found)


def run_processes() -> list[int]:
    """Live processes started (directly or not) by this runner process's daemons."""
    return [p for p in tagged_processes(os.environ[RUN_VARIABLE], RUN_VARIABLE) if p != os.getpid()]


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_targets(pid: int) -> list[str]:
    targets = []
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        with _suppress(OSError):
            targets.append(f"{fd} -> {os.readlink(f'/proc/{pid}/fd/{fd}')}")
    return targets


def rss_kib(pid: int) -> int:
    """VmRSS in KiB."""
    for line in (_read(f"/proc/{pid}/status") or b"").decode().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """Direct children (via /proc/PID/task/*/children)."""
    kids: list[int] = []
    with _suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            raw = _read(f"/proc/{pid}/task/{task}/children") or b""
            kids += [int(x) for x in raw.split()]
    return sorted(set(kids))


_PAUSE_SYSCALLS = {"x86_64": {"34", "130"}, "aarch64": {"133"}}  # pause, rt_sigsuspend


def paused(pid: int) -> bool:
    """Whether pid sleeps in pause() (where TIFFSHARD_FAULT_INJECT=hang:TEXT parks a worker)."""
    raw = _read(f"/proc/{pid}/syscall")
    if not raw:
        return False
    return raw.split()[0].decode() in _PAUSE_SYSCALLS.get(os.uname().machine, {"34", "130"})


def memfd_mappings(pid: int, prefix: str = "memfd:tiffshard") -> int:
    """How many mappings of the process are the daemon's shared-memory ring segments."""
    return sum(1 for line in (_read(f"/proc/{pid}/maps") or b"").decode().splitlines() if prefix in line)


def dev_shm_entries() -> set[str]:
    return set(os.listdir("/dev/shm"))


# --------------------------------------------------------------------------------------------------
# The daemon


@dataclass
class DaemonOptions:
    """`tiffshard run` flags (the ones the suite varies)."""

    width: int | None = 48       # None: not given as a flag (e.g. set in a --config file)
    height: int | None = 40
    workers: int = 2
    shard_size: int = 50
    idle_flush: float = 0.2
    max_shard_age: float = 30
    on_success: str = "move"
    decode_timeout: float = 30
    worker_memory_limit: int | None = None
    log_level: str = "info"
    interpolation: str | None = None
    extra: list[str] = field(default_factory=list)

    def arguments(self, layout: Layout) -> list[str]:
        args = [
            "--ingest", str(layout.ingest), "--output", str(layout.output),
            "--processed-dir", str(layout.processed), "--failed-dir", str(layout.failed),
            "--workers", str(self.workers),
            "--shard-size", str(self.shard_size), "--idle-flush", _num(self.idle_flush),
            "--max-shard-age", _num(self.max_shard_age), "--on-success", self.on_success,
            "--decode-timeout", _num(self.decode_timeout), "--log-level", self.log_level,
        ]
        if self.width is not None:
            args += ["--width", str(self.width)]
        if self.height is not None:
            args += ["--height", str(self.height)]
        if self.worker_memory_limit is not None:
            args += ["--worker-memory-limit", str(self.worker_memory_limit)]
        if self.interpolation:
            args += ["--interpolation", self.interpolation]
        return args + list(self.extra)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


class Daemon:
    """One `tiffshard run` process with its own notify socket, log file and environment tag.

    The daemon is started in a new session (its own process group, which its workers share), so a
    case can always clean up what it started with `cleanup()` even after a failed assertion.
    """

    def __init__(self, binary: str, layout: Layout, options: DaemonOptions,
                 env: dict[str, str] | None = None, sock_dir: str | None = None):
        self.binary = binary
        self.layout = layout
        self.options = options
        self.tag = uuid.uuid4().hex
        self.extra_env = dict(env or {})
        self.notify = Notify(os.path.join(sock_dir or str(layout.root), f"n-{self.tag[:8]}.sock"))
        self.proc: subprocess.Popen | None = None
        self.log_offset = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, wait_ready: bool = True, timeout: float = 30.0) -> "Daemon":
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIFFSHARD_")}
        env.update(self.extra_env)
        env["NOTIFY_SOCKET"] = self.notify.path
        env[TAG_VARIABLE] = self.tag
        env.setdefault("SWIFT_BACKTRACE", "enable=no")
        argv = [self.binary, "run"] + self.options.arguments(self.layout)
        self.layout.logs.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.layout.logs, "ab")
        self.log_offset = log.tell()
        log.write(f"==== start {' '.join(argv)}\n".encode())
        log.flush()
        self._mark = len(self.notify.messages)
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.notify.wait_for("READY", "1", after=self._mark, timeout=0.1)
            if m is not None:
                return m
            if self.proc.poll() is not None:
                raise CaseFailure(f"daemon exited {self.proc.returncode} before READY=1\n{self.log_tail()}")
        raise CaseFailure(f"no READY=1 within {timeout} s\n{self.log_tail()}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def workers(self) -> list[int]:
        """Live worker processes of this daemon (by environment tag; survives reparenting)."""
        return [p for p in tagged_processes(self.tag) if self.proc is None or p != self.proc.pid]

    def wait_workers(self, count: int, timeout: float = 10.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while True:
            w = [p for p in children(self.pid) if alive(p)]
            if len(w) >= count or time.monotonic() > deadline:
                return w
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the supervisor only (not its workers) and reap it."""
        assert self.proc is not None
        with _suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def orphans_after(self, timeout: float = 2.0) -> list[int]:
        """Polls until no worker of this (dead) daemon remains; returns those still alive at the end."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.workers()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.02)

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM, wait for the exit; returns the exit code (fails the case on a timeout)."""
        assert self.proc is not None
        with _suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise CaseFailure(f"daemon did not stop within {timeout} s after SIGTERM\n{self.log_tail()}")

    def cleanup(self) -> None:
        """Kills whatever is left of this daemon's process group and workers; closes the notify socket."""
        if self.proc is not None and self.proc.poll() is None:
            with _suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for pid in tagged_processes(self.tag):
            with _suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.notify.close()

    def log_text(self, since_start: bool = True) -> str:
        raw = _read(str(self.layout.logs)) or b""
        return raw[self.log_offset if since_start else 0:].decode("utf-8", "replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text(False).splitlines()[-lines:])

    def __enter__(self) -> "Daemon":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls predicate() until truthy; returns its value or raises CaseFailure after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CaseFailure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------
# TIFF corpus


def tiff_gray8(image: np.ndarray) -> bytes:
    """A minimal baseline little-endian TIFF (uncompressed, one strip, 8-bit gray, min-is-black)."""
    assert image.dtype == np.uint8 and image.ndim == 2
    h, w = image.shape
    pixels = np.ascontiguousarray(image).tobytes()
    entries = [  # tag, type, count, value (SHORT=3, LONG=4)
        (256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
        (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, len(pixels)), (284, 3, 1, 1),
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\0" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = data_offset
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", 0)
    out += pixels
    return bytes(out)


def make_image(index: int, height: int = 64, width: int = 64, seed: int = 0) -> np.ndarray:
    """Deterministic, distinct per index: a gradient plus noise plus the index stamped in the corner."""
    rng = np.random.default_rng((seed << 32) ^ index)
    y, x = np.mgrid[0:height, 0:width]
    image = ((x * 3 + y * 5 + index * 7) % 256).astype(np.int32)
    image = (image + rng.integers(0, 64, size=(height, width))) % 256
    image = image.astype(np.uint8)
    image[0, :4] = np.frombuffer(struct.pack("<I", index), dtype=np.uint8)
    return image


@dataclass
class SourceRecord:
    name: str
    size: int
    sha256: str
    mtime_ns: int = 0  # filled when the file is written


class Corpus:
    """Valid TIFFs written into a staging directory, then renamed into ingest in chunks.

    With reference=True a copy of every file is kept in ROOT/reference (for pixel checks once the
    daemon has deleted the sources)."""

    def __init__(self, layout: Layout, count: int, prefix: str = "img", height: int = 64, width: int = 64,
                 seed: int = 0, start: int = 0, reference: bool = False, subdirs: int = 0):
        self.layout = layout
        self.reference = layout.root / "reference" if reference else None
        if self.reference is not None:
            self.reference.mkdir(exist_ok=True)
        self.records: dict[str, SourceRecord] = {}
        self.pending: list[str] = []
        for d in range(subdirs):  # for --recursive: files spread over ingest/d0 ... d(N-1)
            for base in (layout.staging, layout.ingest, layout.processed) + ((self.reference,) if self.reference else ()):
                (base / f"d{d}").mkdir(exist_ok=True)
        for i in range(start, start + count):
            name = f"{prefix}-{i:06d}.tif"
            if subdirs:
                name = f"d{i % subdirs}/{name}"
            data = tiff_gray8(make_image(i, height, width, seed))
            path = layout.staging / name
            with open(path, "wb") as f:
                f.write(data)
            if self.reference is not None:  # a copy for checks after `delete` disposition
                (self.reference / name).write_bytes(data)
            st = os.stat(path)
            self.records[name] = SourceRecord(name, len(data), hashlib.sha256(data).hexdigest(), st.st_mtime_ns)
            self.pending.append(name)

    @property
    def names(self) -> list[str]:
        return list(self.records)

    def release(self, count: int | None = None) -> list[str]:
        """Renames the next `count` staged files (all if None) into the ingest directory."""
        take = self.pending if count is None else self.pending[:count]
        for name in take:
            os.rename(self.layout.staging / name, self.layout.ingest / name)
        self.pending = self.pending[len(take):]
        return take

    @property
    def released(self) -> int:
        return len(self.records) - len(self.pending)


# --------------------------------------------------------------------------------------------------
# The published store


def npy_header(path: str | os.PathLike) -> tuple[tuple, str, bool] | None:
    """(shape, dtype descr, fortran) from a .npy v1.0 header, or None if it is not parseable."""
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            if version != (1, 0):
                return None
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            return shape, dtype.str, fortran
    except Exception:
        return None


@dataclass
class Row:
    shard: str
    row: int
    record: dict


@dataclass
class Store:
    shards: list[str]            # stems, sorted
    rows: list[Row]
    problems: list[str]          # anything that is not a clean published store
    temporaries: list[str]       # hidden .tmp leftovers


def read_store(output: str | os.PathLike, width: int, height: int, prefix: str = "") -> Store:
    """Reads every published shard: headers parse, dtype |u1, shape (N, H, W), C order, data offset
    64-aligned, np.load(mmap) works, manifest has N consecutive rows; pairs complete."""
    out = Path(output)
    stem_start = f"{prefix}-shard-" if prefix else "shard-"
    problems: list[str] = []
    temporaries: list[str] = []
    arrays, manifests = set(), set()
    for entry in os.listdir(out):
        if entry.startswith(".") and entry.endswith(".tmp"):
            temporaries.append(entry)
        elif entry.startswith(stem_start) and entry.endswith(".npy"):
            arrays.add(entry[:-4])
        elif entry.startswith(stem_start) and entry.endswith(".jsonl"):
            manifests.add(entry[:-6])
        elif entry.startswith("."):
            problems.append(f"unexpected hidden file {entry}")
    for stem in sorted(arrays - manifests):
        problems.append(f"{stem}.npy has no manifest")
    for stem in sorted(manifests - arrays):
        problems.append(f"{stem}.jsonl has no .npy (unfinished publication visible)")
    rows: list[Row] = []
    for stem in sorted(arrays & manifests):
        npy = out / f"{stem}.npy"
        header = npy_header(npy)
        if header is None:
            problems.append(f"{stem}.npy: header not parseable")
            continue
        shape, descr, fortran = header
        if descr != "|u1" or fortran or len(shape) != 3 or shape[1:] != (height, width):
            problems.append(f"{stem}.npy: bad header shape={shape} dtype={descr} fortran={fortran}")
            continue
        try:
            array = np.load(npy, mmap_mode="r")
            offset = array.offset
        except Exception as e:  # noqa: BLE001
            problems.append(f"{stem}.npy: np.load failed: {e}")
            continue
        if offset % 64:
            problems.append(f"{stem}.npy: data offset {offset} not 64-aligned")
        expected = offset + shape[0] * height * width
        if os.path.getsize(npy) != expected:
            problems.append(f"{stem}.npy: size {os.path.getsize(npy)} != {expected}")
        lines = (out / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
        records = []
        for i, line in enumerate(lines):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                problems.append(f"{stem}.jsonl line {i}: not JSON")
        if len(records) != shape[0]:
            problems.append(f"{stem}: manifest has {len(records)} rows, .npy has {shape[0]}")
        if shape[0] == 0:
            problems.append(f"{stem}: empty shard published")
        for i, r in enumerate(records):
            if r.get("row") != i:
                problems.append(f"{stem}.jsonl line {i}: row={r.get('row')}")
            rows.append(Row(stem, i, r))
    return Store(sorted(arrays & manifests), rows, problems, sorted(temporaries))


def load_row(output: str | os.PathLike, row: Row) -> np.ndarray:
    return np.asarray(np.load(Path(output) / f"{row.shard}.npy", mmap_mode="r")[row.row])


class LiveReader:
    """A reader polling the output directory while the daemon runs (and crashes): every `.npy` that
    becomes visible must already be complete (header, size, manifest with as many rows), and a
    published shard never changes or disappears afterwards. Use as a context manager; `problems`
    lists violations, `seen` the shards validated."""

    def __init__(self, output: str | os.PathLike, width: int, height: int, interval: float = 0.01):
        self.output = Path(output)
        self.width, self.height, self.interval = width, height, interval
        self.seen: dict[str, tuple[int, int]] = {}  # stem -> (size, mtime_ns)
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="live-reader")

    def _validate(self, stem: str) -> None:
        npy = self.output / f"{stem}.npy"
        try:
            st = os.stat(npy)
        except FileNotFoundError:
            return
        header = npy_header(npy)
        if header is None or len(header[0]) != 3 or header[0][1:] != (self.height, self.width):
            self.problems.append(f"{stem}.npy visible with a bad header: {header}")
            return
        rows = header[0][0]
        expected = 128 + rows * self.height * self.width
        try:
            array = np.load(npy, mmap_mode="r")
            expected = array.offset + rows * self.height * self.width
        except Exception as e:  # noqa: BLE001
            self.problems.append(f"{stem}.npy visible but np.load fails: {e}")
        if st.st_size != expected:
            self.problems.append(f"{stem}.npy visible with {st.st_size} bytes, header says {expected}")
        try:
            lines = (self.output / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            self.problems.append(f"{stem}.npy visible before its manifest")
            return
        if len(lines) != rows:
            self.problems.append(f"{stem}: visible with {len(lines)} manifest rows, {rows} array rows")
        self.seen[stem] = (st.st_size, st.st_mtime_ns)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)

    def poll(self) -> None:
        try:
            names = set(os.listdir(self.output))
        except FileNotFoundError:
            return
        for name in sorted(names):
            if name.endswith(".npy") and not name.startswith(".") and name[:-4] not in self.seen:
                self._validate(name[:-4])
        for stem, (size, mtime) in list(self.seen.items()):
            if f"{stem}.npy" not in names:
                self.problems.append(f"published {stem}.npy disappeared")
                del self.seen[stem]
            elif f"{stem}.jsonl" not in names:
                self.problems.append(f"manifest of published {stem} disappeared")

    def __enter__(self) -> "LiveReader":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.poll()


@dataclass
class Accounting:
    files: int = 0
    rows: int = 0
    shards: int = 0
    duplicates: int = 0
    losses: int = 0
    strangers: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.files} files, {self.rows} rows in {self.shards} shards: "
                f"{self.duplicates} duplicates, {self.losses} losses, {self.strangers} unknown rows")


def failures(layout: Layout) -> list[dict]:
    path = layout.failed / "failures.jsonl"
    if not path.exists():
        return []
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def check_exactly_once(layout: Layout, records: dict[str, SourceRecord], mode: str, store: Store) -> Accounting:
    """Every record in exactly one row of one shard with matching bytes/mtime, no row from elsewhere,
    every source disposed of per `mode` (move: only in processed, same content; keep: still in ingest;
    delete: gone), none quarantined."""
    acc = Accounting(files=len(records), rows=len(store.rows), shards=len(store.shards))
    seen: dict[str, list[Row]] = {}
    for row in store.rows:
        seen.setdefault(row.record.get("source", ""), []).append(row)
    for name, rows in seen.items():
        if name not in records:
            acc.strangers += len(rows)
            acc.problems.append(f"row for unknown source {name!r} in {rows[0].shard}")
    for name, rec in records.items():
        rows = seen.get(name, [])
        if not rows:
            acc.losses += 1
            acc.problems.append(f"{name}: in no shard")
            continue
        if len(rows) > 1:
            acc.duplicates += len(rows) - 1
            acc.problems.append(f"{name}: in {len(rows)} rows: {[(r.shard, r.row) for r in rows]}")
        r = rows[0].record
        if r.get("bytes") != rec.size or r.get("mtime_ns") != rec.mtime_ns:
            acc.problems.append(f"{name}: manifest bytes/mtime_ns {r.get('bytes')}/{r.get('mtime_ns')} "
                                f"!= source {rec.size}/{rec.mtime_ns}")
        in_ingest = (layout.ingest / name).exists()
        in_processed = (layout.processed / name).exists()
        if mode == "move":
            if in_ingest or not in_processed:
                acc.problems.append(f"{name}: not moved (ingest={in_ingest}, processed={in_processed})")
            elif hashlib.sha256((layout.processed / name).read_bytes()).hexdigest() != rec.sha256:
                acc.problems.append(f"{name}: processed copy differs from the source")
        elif mode == "keep":
            if not in_ingest or in_processed:
                acc.problems.append(f"{name}: keep mode but ingest={in_ingest}, processed={in_processed}")
        elif mode == "delete":
            if in_ingest or in_processed:
                acc.problems.append(f"{name}: not deleted (ingest={in_ingest}, processed={in_processed})")
    if mode == "move":
        extra = [p for p in _files_under(layout.processed) if p not in records]
        if extra:
            acc.problems.append(f"unexpected files in processed dir (moved twice?): {extra[:5]}")
    quarantined = [f.get("source") for f in failures(layout) if f.get("source") in records]
    if quarantined:
        acc.problems.append(f"valid files quarantined: {quarantined[:5]}")
    acc.problems += store.problems
    if store.temporaries:
        acc.problems.append(f"temporary files left: {store.temporaries}")
    return acc


def check_pixels(output: str | os.PathLike, rows: list[Row], source_dir: str | os.PathLike,
                 width: int, height: int, interpolation: int | None = None) -> int:
    """Each row equals cv2.resize(cv2.imread(source, IMREAD_GRAYSCALE)); returns rows compared."""
    import cv2
    interpolation = cv2.INTER_LINEAR if interpolation is None else interpolation
    for row in rows:
        src = Path(source_dir) / row.record["source"]
        image = cv2.imread(str(src), cv2.IMREAD_GRAYSCALE)
        check(image is not None, f"cv2 cannot read {src}")
        expected = cv2.resize(image, (width, height), interpolation=interpolation)
        got = load_row(output, row)
        if not np.array_equal(expected, got):
            diff = int(np.count_nonzero(expected != got))
            raise CaseFailure(f"{row.shard} row {row.row} ({row.record['source']}): {diff} pixels differ from OpenCV")
    return len(rows)


# --------------------------------------------------------------------------------------------------
# inotify (ctypes), to time kills to a phase

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


class DirWatch:
    """inotify on one or more directories; `wait(pred, timeout)` returns the first (dir, mask, name)
    for which pred holds, reacting within microseconds of the event."""

    def __init__(self, mask: int, *directories: str | os.PathLike):
        self.fd = _libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs: dict[int, str] = {}
        for d in directories:
            wd = _libc.inotify_add_watch(self.fd, str(d).encode(), mask)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {d}")
            self.dirs[wd] = str(d)
        self.buffer: list[tuple[str, int, str]] = []

    def _read(self, timeout: float) -> None:
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        i = 0
        while i + 16 <= len(data):
            wd, mask, _cookie, length = struct.unpack_from("iIII", data, i)
            name = data[i + 16:i + 16 + length].rstrip(b"\0").decode("utf-8", "surrogateescape")
            self.buffer.append((self.dirs.get(wd, "?"), mask, name))
            i += 16 + length

    def wait(self, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            while self.buffer:
                event = self.buffer.pop(0)
                if predicate(*event):
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._read(left)

    def drain(self) -> None:
        self._read(0)
        self.buffer.clear()

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _files_under(directory: str | os.PathLike) -> list[str]:
    """Relative paths of the non-directory entries under directory (recursively)."""
    found = []
    for parent, dirs, files in os.walk(directory):
        rel = os.path.relpath(parent, directory)
        found += [f if rel == "." else f"{rel}/{f}" for f in files]
    return sorted(found)


def unsettled(layout: Layout) -> list[str]:
    """Candidate TIFFs still in the ingest directory (relative paths, subdirectories included)."""
    return [n for n in _files_under(layout.ingest) if n.lower().endswith((".tif", ".tiff"))]
