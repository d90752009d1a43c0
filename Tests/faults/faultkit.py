"""The one kit for the tiffshard fault-injection suite (Tests/faults): everything a case needs to drive
the real daemon binary on real files. No mocks.

Case convention (what `run.py` collects): a module `Tests/faults/test_*.py` defines functions
`test_<name>(ctx: Context)`; a case passes when it returns and fails when it raises. A case reports
what it did through `ctx.injected(...)` (the fault) and `ctx.verified(...)` (each guarantee checked),
and may scale itself down when `ctx.quick` is true (CI). `ctx.tmpdir(name)` gives a fresh directory
that is removed after a passing case (kept after a failing one, for post-mortems). Every module also
runs alone: `python3 Tests/faults/test_x.py [--binary PATH] [--keep] [name ...]` (`run_standalone`).

    with fk.Daemon.in_scratch(ctx, "kill", fk.DaemonOptions.tiny(workers=2)) as d:
        d.start()
        d.drop_many(["a.tif", "b.tif"])
        d.wait_rows(2)
        fk.assert_exactly_once(d.rows(), ["a.tif", "b.tif"])

Main pieces:
- `eventually`: the one polling wait (CaseFailure naming what was awaited on timeout).
- `Layout`: ingest/output/processed/failed/staging directories under one root.
- `Daemon`: one `tiffshard run` with a NOTIFY_SOCKET listener (`NotifyListener`, shared with bench/
  in Tests/support), started in its own session with an environment tag its workers inherit; waits for
  READY=1 and the worker pool, drops files (staged then renamed in), SIGKILL / SIGTERM, observes rows,
  rejections, STATUS, the log, its workers (paused in a `hang:` fault, reading a file), fd/RSS probes.
  `barrier()` drops a marker file and waits for it to be published and disposed of: everything that
  arrived before it has had its chance, so a case can then assert that something did *not* happen.
- `tiff_gray8` / `tiff_bytes` / `lying_tiff`: the one hand-rolled TIFF writer (8-bit gray, strips,
  uncompressed or deflate; `lying_tiff` declares a size its data does not have). `Corpus`: files
  staged then renamed into the ingest directory (atomic `IN_MOVED_TO`), with their bytes/mtime/hash.
- `read_jsonl`: the one reader of JSON-lines files (manifests, failures.jsonl), field-agnostic, so
  records that gain fields keep working. `read_store` / `check_shards`: the published shards (`.npy`
  via np.load mmap + manifests), no temporary file visible as a shard, row counts agree; `failures`.
- `check_exactly_once` (corpus, disposition per mode) and `assert_exactly_once` (names only).
- `LiveReader`: a concurrent reader that fails on any incomplete `.npy` it ever sees.
- `check_pixels`: rows equal cv2.imread(IMREAD_GRAYSCALE) + cv2.resize of their source.
- `DirWatch`: inotify on a directory (ctypes), to time a kill to a phase (a `.tmp` appears, a `.npy`
  is renamed in, a source is moved).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import random
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# The notify listener is shared with bench/ (standard library only); Tests/support is not a package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from notify_listener import Message, NotifyListener  # noqa: E402

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
    @property
    def config(self) -> Path: return self.root / "tiffshard.yaml"


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
        with contextlib.suppress(OSError):
            targets.append(f"{fd} -> {os.readlink(f'/proc/{pid}/fd/{fd}')}")
    return targets


def rss_kib(pid: int) -> int:
    """VmRSS in KiB."""
    for line in (_read(f"/proc/{pid}/status") or b"").decode().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """Live (not zombie) direct children of pid. Scans /proc/*/stat for the parent pid: the cheaper
    /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN, which not every kernel has."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        raw = _read(f"/proc/{entry}/stat")
        if raw is None:
            continue
        fields = raw.decode("utf-8", "replace").rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return sorted(found)


_PAUSE_SYSCALLS = {"x86_64": {"34", "130"}, "aarch64": {"133"}}  # pause, rt_sigsuspend


def paused(pid: int) -> bool:
    """Whether pid sleeps in pause()/sigsuspend() (where TIFFSHARD_FAULT_INJECT=hang:TEXT parks a
    worker): by syscall number from /proc/PID/syscall, else by /proc/PID/wchan."""
    raw = _read(f"/proc/{pid}/syscall")
    if raw and raw.split()[0].decode() in _PAUSE_SYSCALLS.get(os.uname().machine, {"34", "130"}):
        return True
    where = (_read(f"/proc/{pid}/wchan") or b"").decode("utf-8", "replace")
    return "pause" in where or "sigsuspend" in where


def memfd_mappings(pid: int, prefix: str = "memfd:tiffshard") -> int:
    """How many mappings of the process are the daemon's shared-memory ring segments."""
    return sum(1 for line in (_read(f"/proc/{pid}/maps") or b"").decode().splitlines() if prefix in line)


def dev_shm_entries() -> set[str]:
    return set(os.listdir("/dev/shm"))


# --------------------------------------------------------------------------------------------------
# The daemon


@dataclass
class DaemonOptions:
    """`tiffshard run` flags (the ones the suite varies). None: the flag is not given (the daemon's
    default, or a value from a `--config` file, which a flag would override)."""

    width: int | None = 48
    height: int | None = 40
    workers: int | None = 2
    shard_size: int | None = 50
    idle_flush: float | None = 0.2
    max_shard_age: float | None = 30
    on_success: str | None = "move"
    decode_timeout: float | None = 30
    worker_memory_limit: int | None = None
    log_level: str = "info"
    interpolation: str | None = None
    extra: list[str] = field(default_factory=list)

    @classmethod
    def tiny(cls, **changes) -> "DaemonOptions":
        """8 x 8 rows, shards of 64, idle flush 0.3 s, the daemon's defaults otherwise: for cases about
        what happens to individual files (races, workers, hostile names), where rows cost nothing."""
        values = dict(width=8, height=8, workers=2, shard_size=64, idle_flush=0.3, max_shard_age=None,
                      on_success=None, decode_timeout=None)
        values.update(changes)
        return cls(**values)

    @classmethod
    def from_config_file(cls, path: str | os.PathLike, **changes) -> "DaemonOptions":
        """Only `--config path` (plus `changes`): geometry, workers, shard size, idle flush come from the file."""
        values = dict(width=None, height=None, workers=None, shard_size=None, idle_flush=None,
                      max_shard_age=None, on_success=None, decode_timeout=None)
        values.update(changes)
        options = cls(**values)
        options.extra = ["--config", str(path)] + list(options.extra)
        return options

    def arguments(self, layout: Layout) -> list[str]:
        args = ["--ingest", str(layout.ingest), "--output", str(layout.output),
                "--processed-dir", str(layout.processed), "--failed-dir", str(layout.failed)]
        flags = [("--workers", self.workers), ("--shard-size", self.shard_size), ("--idle-flush", self.idle_flush),
                 ("--max-shard-age", self.max_shard_age), ("--on-success", self.on_success),
                 ("--decode-timeout", self.decode_timeout), ("--log-level", self.log_level),
                 ("--width", self.width), ("--height", self.height),
                 ("--worker-memory-limit", self.worker_memory_limit), ("--interpolation", self.interpolation)]
        for flag, value in flags:
            if value is not None:
                args += [flag, _num(value) if isinstance(value, float) else str(value)]
        return args + list(self.extra)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def write_config(path: str | os.PathLike, values: dict[str, object]) -> None:
    """Writes a flat `key: value` YAML configuration file atomically (rename), e.g. before a SIGHUP."""
    temporary = f"{path}.new"
    with open(temporary, "w") as f:
        f.write("".join(f"{key}: {value}\n" for key, value in values.items()))
    os.rename(temporary, path)


class Daemon:
    """One `tiffshard run` process with its own notify socket, log file and environment tag.

    The daemon is started in a new session (its own process group, which its workers share), so a
    case can always clean up what it started with `cleanup()` (also on leaving a `with` block) even
    after a failed assertion. `start()` may be called again after a stop or a kill: same directories,
    same notify socket, same log file (appended).
    """

    def __init__(self, binary: str, layout: Layout, options: DaemonOptions,
                 env: dict[str, str] | None = None, sock_dir: str | None = None):
        self.binary = str(binary)
        self.layout = layout
        self.options = options
        self.tag = uuid.uuid4().hex
        self.extra_env = dict(env or {})
        self.notify = NotifyListener(os.path.join(sock_dir or str(layout.root), f"n-{self.tag[:8]}.sock"))
        self.proc: subprocess.Popen | None = None
        self.log_offset = 0
        self._mark = 0
        self._barriers = 0

    @classmethod
    def in_scratch(cls, ctx: "Context", label: str, options: DaemonOptions | None = None,
                   env: dict[str, str] | None = None, config: dict[str, object] | None = None) -> "Daemon":
        """A daemon in a fresh `ctx.tmpdir(label)` layout, with `options` or, with `config`, with only
        `--config ROOT/tiffshard.yaml` holding those values (rewrite it with `write_config` before a
        SIGHUP; a flag would override the file)."""
        layout = Layout.create(ctx.tmpdir(label))
        if config is not None:
            assert options is None, "with a config file, every setting comes from the file"
            write_config(layout.config, config)
            options = DaemonOptions.from_config_file(layout.config)
        return cls(ctx.binary, layout, options or DaemonOptions(), env=env)

    # directories ----------------------------------------------------------------------------------
    @property
    def ingest(self) -> Path: return self.layout.ingest
    @property
    def output(self) -> Path: return self.layout.output
    @property
    def processed(self) -> Path: return self.layout.processed
    @property
    def failed(self) -> Path: return self.layout.failed
    @property
    def staging(self) -> Path: return self.layout.staging

    # lifecycle ------------------------------------------------------------------------------------
    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def pool_size(self) -> int | None:
        """Workers the daemon is configured for (from the flags or the config file), if known."""
        if self.options.workers is not None:
            return self.options.workers
        if self.layout.config.exists():
            for line in self.layout.config.read_text().splitlines():
                key, _, value = line.partition(":")
                if key.strip() == "workers":
                    return int(value)
        return None

    def start(self, wait_ready: bool = True, wait_pool: bool = True, timeout: float = 30.0) -> "Daemon":
        """Starts `tiffshard run`; by default waits for READY=1, then for the whole worker pool."""
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
        self._mark = self.notify.mark()
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        if wait_ready:
            self.wait_ready(timeout)
            if wait_pool and self.pool_size is not None:
                self.wait_workers(self.pool_size)
        return self

    def wait_ready(self, timeout: float = 30.0) -> Message:
        """The READY=1 of the current start (CaseFailure if the daemon exits first or times out)."""
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

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def reload(self, timeout: float = 20.0) -> Message:
        """SIGHUP; returns the READY=1 that follows (the reload is done, applied or refused)."""
        mark = self.notify.mark()
        self.signal(signal.SIGHUP)
        m = self.notify.wait_for("READY", "1", after=mark, timeout=timeout)
        check(m is not None, f"no READY=1 within {timeout} s of SIGHUP\n{self.log_tail()}")
        return m

    def kill(self) -> None:
        """SIGKILL the supervisor only (not its workers) and reap it."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait; returns the exit code (at once if it has already exited; CaseFailure on a
        timeout, leaving the process to `cleanup()`)."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            return self.proc.returncode
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise CaseFailure(f"daemon did not stop within {timeout} s after SIGTERM\n{self.log_tail()}")

    def cleanup(self) -> None:
        """Kills whatever is left of this daemon's process group and workers; closes the notify socket."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for pid in tagged_processes(self.tag):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.notify.close()

    def __enter__(self) -> "Daemon":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None and self.proc is not None:
            lines = self.log_text(since_start=False).splitlines()
            print(f"  daemon log ({self.layout.logs}), last {min(40, len(lines))} of {len(lines)} lines:", flush=True)
            for line in lines[-40:]:
                print(f"    | {line}", flush=True)
            print(f"  last STATUS: {self.status()}", flush=True)
        self.cleanup()

    # workers --------------------------------------------------------------------------------------
    def worker_pids(self) -> list[int]:
        """Live worker processes: the supervisor's children."""
        return children(self.pid)

    def tagged(self) -> list[int]:
        """Live processes of this daemon other than the supervisor, by environment tag (workers that
        were reparented after a supervisor's death included)."""
        return [p for p in tagged_processes(self.tag) if self.proc is None or p != self.proc.pid]

    def wait_workers(self, count: int, timeout: float = 20.0) -> list[int]:
        """Waits until exactly `count` workers are alive; returns their pids."""
        return eventually(lambda: (lambda p: p if len(p) == count else None)(self.worker_pids()), timeout,
                          lambda: f"{count} worker processes (have {self.worker_pids()})", interval=0.02)

    def orphans_after(self, timeout: float = 2.0) -> list[int]:
        """Polls until no worker of this (dead) daemon remains; returns those still alive at the end."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.tagged()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.02)

    def paused_worker(self) -> int | None:
        """A worker held by a `hang:` fault (blocked in pause), if any."""
        return next((pid for pid in self.worker_pids() if paused(pid)), None)

    def worker_reading(self, path: str | os.PathLike) -> int | None:
        """The worker that has `path` open right now (inside a decode), if any."""
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                        return pid
        return None

    # observation ----------------------------------------------------------------------------------
    def log_text(self, since_start: bool = True) -> str:
        raw = _read(str(self.layout.logs)) or b""
        return raw[self.log_offset if since_start else 0:].decode("utf-8", "replace")

    def log(self) -> str:
        """The whole log file (every start)."""
        return self.log_text(since_start=False)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text(False).splitlines()[-lines:])

    def status(self) -> str:
        """The latest STATUS= text."""
        return self.notify.last_status()

    def wait_status_ticks(self, ticks: int = 1, timeout: float = 10.0) -> str:
        """Waits for `ticks` STATUS messages sent after this call (the reactor refreshes STATUS about
        once a second from its loop, so each one proves the loop ran since); returns the last."""
        mark = self.notify.mark()
        for _ in range(ticks):
            m = self.notify.wait_for("STATUS", after=mark, timeout=timeout)
            check(m is not None, f"no STATUS within {timeout} s (daemon running: {self.running()})")
            mark = self.notify.messages.index(m, mark) + 1
        return m.fields["STATUS"]

    def rows(self) -> list["Row"]:
        """Every published row (shards whose `.npy` exists), shard by shard."""
        return read_store(self.output).rows

    def failures(self) -> list[dict]:
        return failures(self.failed)

    def wait_rows(self, n: int, timeout: float = 30) -> list["Row"]:
        return eventually(lambda: (lambda r: r if len(r) >= n else None)(self.rows()), timeout,
                          lambda: f"{n} published rows (have {len(self.rows())})")

    def wait_failures(self, n: int, timeout: float = 30) -> list[dict]:
        return eventually(lambda: (lambda r: r if len(r) >= n else None)(self.failures()), timeout,
                          lambda: f"{n} rejections in failures.jsonl (have {len(self.failures())})")

    def wait_accounted(self, good: int, bad: int, timeout: float = 30) -> None:
        eventually(lambda: len(self.rows()) >= good and len(self.failures()) >= bad, timeout,
                   lambda: f"{good} rows and {bad} rejections (have {len(self.rows())} and {len(self.failures())})")

    def barrier(self, timeout: float = 30) -> str:
        """Drops a fresh marker TIFF (`zz-barrier-N.tif`) and waits until it is published and disposed
        of; returns its name. Events are handled in order and rows are assigned and published in
        dispatch order, so by then every file that arrived before the marker has been read and its
        row published (or it was rejected): a case can assert that something did *not* happen. Cases
        leave the markers out of their checks with `without_barriers`."""
        self._barriers += 1
        name = f"{BARRIER_PREFIX}{self._barriers}.tif"
        self.drop(name, tiff_bytes(200 + self._barriers))
        eventually(lambda: any(r.source == name for r in self.rows()), timeout, f"barrier {name} published")
        eventually(lambda: not (self.ingest / name).exists(), timeout, f"barrier {name} disposed of")
        return name

    # input ----------------------------------------------------------------------------------------
    def drop(self, name: str | bytes, data: bytes) -> None:
        """Writes the file in staging, then renames it into ingest (one IN_MOVED_TO)."""
        staged = os.path.join(os.fsencode(self.staging), os.fsencode(name))
        write_file(staged, data)
        os.rename(staged, os.path.join(os.fsencode(self.ingest), os.fsencode(name)))

    def drop_many(self, names, seed: int = 0) -> list[str]:
        """Drops a small valid TIFF under each name (content from seed, seed + 1, ...); returns the names."""
        names = list(names)
        for i, name in enumerate(names):
            self.drop(name, tiff_bytes(seed + i))
        return names


BARRIER_PREFIX = "zz-barrier-"


def without_barriers(names):
    """`names` (or rows, or directory listings) without the markers `Daemon.barrier()` dropped."""
    return [n for n in names if not str(getattr(n, "source", n)).startswith(BARRIER_PREFIX)]


def stimulus(seconds: float) -> None:
    """A deliberate pause that is part of the injected fault (aiming a kill at a phase, a writer
    pausing), never a wait for the daemon: waits for the daemon use `eventually` or an event."""
    time.sleep(seconds)


def eventually(predicate, timeout: float, what, interval: float = 0.05):
    """Polls `predicate` until it returns a truthy value, and returns it; CaseFailure naming `what`
    (a string, or a callable giving one with the latest state) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CaseFailure(f"timed out after {timeout:g} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------
# TIFF files: one hand-rolled writer (classic little-endian, 8-bit gray, min-is-black, strips)

COMPRESSION_NONE, COMPRESSION_DEFLATE = 1, 8


def _tiff(width: int, height: int, rows_per_strip: int, compression: int, blobs: list[bytes],
          strip_blob: list[int]) -> bytes:
    """The file: header, IFD, the data `blobs`, then (for several strips) the offset and byte-count
    arrays; strip i points at blobs[strip_blob[i]] (several strips may share one blob)."""
    strips = len(strip_blob)
    entries = 10
    ifd_offset = 8
    data_offset = ifd_offset + 2 + entries * 12 + 4
    blob_offsets = []
    for blob in blobs:
        blob_offsets.append(data_offset + sum(len(b) for b in blobs[:len(blob_offsets)]))
    offsets = [blob_offsets[i] for i in strip_blob]
    counts = [len(blobs[i]) for i in strip_blob]
    arrays_offset = data_offset + sum(len(b) for b in blobs)

    def entry(tag: int, kind: int, count: int, value: int) -> bytes:  # SHORT=3, LONG=4
        if kind == 3 and count == 1:
            return struct.pack("<HHIHH", tag, kind, count, value, 0)
        return struct.pack("<HHII", tag, kind, count, value)
    ifd = struct.pack("<H", entries) + b"".join([
        entry(256, 4, 1, width), entry(257, 4, 1, height), entry(258, 3, 1, 8),
        entry(259, 3, 1, compression), entry(262, 3, 1, 1),
        entry(273, 4, strips, arrays_offset if strips > 1 else offsets[0]),
        entry(277, 3, 1, 1), entry(278, 4, 1, rows_per_strip),
        entry(279, 4, strips, arrays_offset + 4 * strips if strips > 1 else counts[0]),
        entry(284, 3, 1, 1),
    ]) + struct.pack("<I", 0)
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset) + ifd + b"".join(blobs))
    if strips > 1:
        out += struct.pack(f"<{strips}I", *offsets) + struct.pack(f"<{strips}I", *counts)
    return bytes(out)


def tiff_gray8(image: np.ndarray, compression: int = COMPRESSION_NONE, rows_per_strip: int | None = None,
               level: int = 6) -> bytes:
    """A baseline TIFF of a 2-D uint8 image: one strip by default, deflate (zlib `level`) if asked."""
    assert image.dtype == np.uint8 and image.ndim == 2
    h, w = image.shape
    rows = rows_per_strip or h
    strips = [np.ascontiguousarray(image[y:y + rows]).tobytes() for y in range(0, h, rows)]
    if compression == COMPRESSION_DEFLATE:
        strips = [zlib.compress(s, level) for s in strips]
    return _tiff(w, h, rows, compression, strips, list(range(len(strips))))


_tiff_cache: dict[tuple[int, int, int], bytes] = {}


def tiff_bytes(seed: int = 0, width: int = 16, height: int = 12) -> bytes:
    """A small valid TIFF whose content depends on seed (mod 251) and size (cached)."""
    key = (seed % 251, width, height)
    if key not in _tiff_cache:
        pixels = (np.arange(width * height, dtype=np.uint32).reshape(height, width) * 7 + key[0] * 13) % 256
        _tiff_cache[key] = tiff_gray8(pixels.astype(np.uint8))
    return _tiff_cache[key]


def lying_tiff(width: int, height: int, *, compression: int = COMPRESSION_DEFLATE, strip: bytes | None = None,
               rows_per_strip: int | None = None) -> bytes:
    """A TIFF whose header declares `width` x `height` while every strip points at the same tiny
    `strip` data (by default one deflate-compressed row of zeros): a 20000 x 20000 image costs ~160 kB
    of offsets; `strip=b"garbage"` makes the data lie too."""
    rows = rows_per_strip or 1
    if strip is None:
        strip = zlib.compress(bytes(width * rows), 9) if compression == COMPRESSION_DEFLATE else bytes(width * rows)
    return _tiff(width, height, rows, compression, [strip], [0] * ((height + rows - 1) // rows))


def write_file(path: str | bytes | os.PathLike, data: bytes) -> None:
    """Writes `data` to `path` in place (one IN_CLOSE_WRITE)."""
    with open(path, "wb") as f:
        f.write(data)


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


# A shard's NPY descr for each `dtype` option, and the channels of each `color` option.
DESCRS = {"uint8": "|u1", "uint16": "<u2", "float32": "<f4"}
CHANNELS = {"gray": 1, "rgb": 3}


def shard_format(shape: tuple, descr: str, fortran: bool) -> tuple[str, str] | None:
    """(dtype, color) of a shard header we write: one of our descrs, C order, (N, H, W) or (N, H, W, 3);
    None for anything else."""
    dtype = next((name for name, d in DESCRS.items() if d == descr), None)
    if dtype is None or fortran:
        return None
    if len(shape) == 3:
        return dtype, "gray"
    if len(shape) == 4 and shape[3] == 3:
        return dtype, "rgb"
    return None


def shard_data_bytes(shape: tuple, descr: str) -> int:
    """Bytes of pixel data a shard header declares: the product of the shape times the sample size."""
    return int(np.prod(shape, dtype=np.int64)) * np.dtype(descr).itemsize


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
    """One published row: its shard's stem, its index, its manifest record (every field, as read)."""

    shard: str
    row: int
    record: dict

    @property
    def source(self) -> str:
        return self.record.get("source", "")


@dataclass
class Store:
    shards: list[str]            # stems, sorted
    rows: list[Row]
    problems: list[str]          # anything that is not a clean published store
    temporaries: list[str]       # hidden .tmp leftovers


def read_jsonl(path: str | os.PathLike, problems: list[str] | None = None) -> list[dict]:
    """Every JSON object of a JSON-lines file (manifest, failures.jsonl), blank lines skipped, every
    field kept as read. A line that is not JSON is reported in `problems` if given, else raises."""
    records = []
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if problems is None:
                raise
            problems.append(f"{os.path.basename(path)} line {i}: not JSON")
    return records


def read_store(output: str | os.PathLike, width: int | None = None, height: int | None = None,
               prefix: str = "", dtype: str | None = None, color: str | None = None) -> Store:
    """Reads every published shard: headers parse, dtype |u1, <u2 or <f4 (the one given, if given), shape
    (N, H, W) or (N, H, W, 3) (H, W and colour as given, if given), C order, data offset 64-aligned,
    np.load(mmap) works, manifest has N consecutive rows whose dtype/color (when recorded) match the
    header; pairs complete."""
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
        fmt = shard_format(shape, descr, fortran)
        if (fmt is None or (width is not None and shape[1:3] != (height, width))
                or (dtype is not None and fmt[0] != dtype) or (color is not None and fmt[1] != color)):
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
        expected = offset + shard_data_bytes(shape, descr)
        if os.path.getsize(npy) != expected:
            problems.append(f"{stem}.npy: size {os.path.getsize(npy)} != {expected}")
        records = read_jsonl(out / f"{stem}.jsonl", problems)
        if len(records) != shape[0]:
            problems.append(f"{stem}: manifest has {len(records)} rows, .npy has {shape[0]}")
        if shape[0] == 0:
            problems.append(f"{stem}: empty shard published")
        for i, r in enumerate(records):
            if r.get("row") != i:
                problems.append(f"{stem}.jsonl line {i}: row={r.get('row')}")
            # Manifests written before the output options have no dtype/color: today's uint8 gray.
            if (r.get("dtype", "uint8"), r.get("color", "gray")) != fmt:
                problems.append(f"{stem}.jsonl line {i}: dtype/color {r.get('dtype')}/{r.get('color')}, shard is {fmt}")
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
        if header is None or shard_format(*header) is None or header[0][1:3] != (self.height, self.width):
            self.problems.append(f"{stem}.npy visible with a bad header: {header}")
            return
        rows = header[0][0]
        data = shard_data_bytes(header[0], header[1])
        expected = 128 + data
        try:
            array = np.load(npy, mmap_mode="r")
            expected = array.offset + data
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


def failures(failed_dir: str | os.PathLike) -> list[dict]:
    """The records of `failed_dir/failures.jsonl` (none if it does not exist yet)."""
    path = Path(failed_dir) / "failures.jsonl"
    return read_jsonl(path) if path.exists() else []


def reasons(records: list[dict]) -> dict[str, str]:
    """source -> reason of rejection records (the last one per source)."""
    return {f["source"]: f["reason"] for f in records}


def check_shards(output: str | os.PathLike) -> int:
    """The published store is clean (see `read_store`; a manifest without its `.npy` is allowed: the
    daemon may be between its two renames); returns the number of shards."""
    store = read_store(output)
    problems = [p for p in store.problems if "has no .npy" not in p]
    check(not problems, f"published store: {problems[:5]}")
    return len(store.shards)


def assert_exactly_once(rows: list[Row], good: list[str], *, allow_extra: bool = False) -> None:
    """Each name in `good` appears in exactly one published row (and, unless `allow_extra`, no other
    source has a row, `Daemon.barrier()` markers aside)."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.source] = counts.get(r.source, 0) + 1
    dup = {s: c for s, c in counts.items() if c > 1}
    check(not dup, f"duplicated rows: {dict(list(dup.items())[:5])} ({len(dup)} sources)")
    missing = [g for g in good if g not in counts]
    check(not missing, f"{len(missing)} files never published, e.g. {missing[:5]}")
    if not allow_extra:
        extra = set(without_barriers(counts)) - set(good)
        check(not extra, f"unexpected rows: {sorted(extra)[:5]}")


def listing(directory: str | os.PathLike) -> list[str]:
    """Visible entries of a directory, sorted (failures.jsonl left out)."""
    return sorted(n for n in os.listdir(directory) if not n.startswith(".") and n != "failures.jsonl")


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
    quarantined = [f.get("source") for f in failures(layout.failed) if f.get("source") in records]
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


def run_standalone(module_globals: dict) -> None:
    """`python3 Tests/faults/test_x.py [--binary PATH] [--keep] [name ...]`: runs the module's cases."""
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
        ctx = Context(os.path.abspath(args.binary) if args.binary else DEFAULT_BINARY, quick=True, keep=args.keep)
        print(f"\n== {name}", flush=True)
        started = time.monotonic()
        ok = False
        try:
            function(ctx)
            ok = True
        except Skip as error:
            print(f"    skipped:  {error}", flush=True)
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
