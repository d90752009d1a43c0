"""Daemon benchmarks: publication latency of trickled files, and backlog throughput."""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import tempfile
import time

import numpy as np

from . import cache, corpus, tiffshard
from .convert_bench import Settings
from .daemon import Daemon, DaemonFailed, ShardWatcher
from .measure import TreeMonitor, reap_descendants, reap_zombies, run_measured


def _workdir(settings: Settings, name: str) -> tuple[str, str, str]:
    os.makedirs(settings.runs_dir, exist_ok=True)
    root = tempfile.mkdtemp(prefix=f"{name}-", dir=settings.runs_dir)
    ingest, output = os.path.join(root, "ingest"), os.path.join(root, "output")
    os.makedirs(ingest)
    os.makedirs(output)
    return root, ingest, output


def _run_arguments(settings: Settings, ingest: str, output: str, idle_flush: float,
                   max_shard_age: float | None, shard_size: int | None) -> list[str]:
    arguments = ["--ingest", ingest, "--output", output, "--idle-flush", f"{idle_flush:g}",
                 "--on-success", "keep", "--workers", str(settings.workers),
                 "--width", str(settings.width), "--height", str(settings.height)]
    if max_shard_age:
        arguments += ["--max-shard-age", f"{max_shard_age:g}"]
    if shard_size:
        arguments += ["--shard-size", str(shard_size)]
    return arguments


def latency(settings: Settings, count: int, interval_ms: tuple[float, float], idle_flush: float,
            max_shard_age: float | None, seed: int, source_count: int, log) -> dict:
    """Trickle `count` files into the ingest directory (written under a temporary
    name, then renamed in) and time each one from its rename to the publication
    of the shard that holds it."""
    sources = corpus.files(corpus.ensure(source_count))
    payloads = []
    for i in range(count):
        with open(sources[i % len(sources)], "rb") as handle:
            payloads.append(handle.read())
    root, ingest, output = _workdir(settings, "latency")
    daemon = Daemon(settings.binary, _run_arguments(settings, ingest, output, idle_flush, max_shard_age, None), root)
    watcher = ShardWatcher(output)
    monitor = TreeMonitor(settings.interval)
    renamed: dict[str, float] = {}
    result = {"command": " ".join(daemon.command), "count": count}
    reap_zombies()
    monitor.start()
    daemon.start()
    try:
        result["ready_s"] = daemon.wait_ready()
        watcher.start()
        pace = random.Random(seed)
        for i, payload in enumerate(payloads):
            name = f"lat-{i:06d}.tif"
            temporary = os.path.join(ingest, f".{name}.part")
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.rename(temporary, os.path.join(ingest, name))
            renamed[name] = time.monotonic()
            if not daemon.alive():
                raise DaemonFailed(f"exited with {daemon.process.returncode}:\n{daemon.log_tail()}")
            time.sleep(pace.uniform(*interval_ms) / 1000)
        horizon = idle_flush + (max_shard_age or 30) + 30
        result["complete"] = watcher.wait_rows(count, horizon, daemon)
    except DaemonFailed as error:
        result["error"] = str(error)
    finally:
        result["status"] = daemon.notify.last_status() if daemon.notify else ""
        result["exit_code"] = daemon.stop()
        result["stopping_seen"] = daemon.notify.count("STOPPING", "1") > 0
        watcher.stop()
        result["killed_stragglers"] = reap_descendants()
        monitor.stop()
    latencies = sorted(1000 * (watcher.published[n] - t) for n, t in renamed.items() if n in watcher.published)
    result.update(
        published=len(latencies),
        duplicates=len(watcher.duplicates),
        shards=len(watcher.shards),
        unexpected=sorted(set(watcher.published) - set(renamed))[:5],
        peak_pss_mib=monitor.peak_pss_kib / 1024,
        log_tail=daemon.log_tail(),
    )
    if latencies:
        for q in (50, 90, 99):
            result[f"p{q}_ms"] = float(np.percentile(latencies, q))
        result["min_ms"], result["max_ms"] = latencies[0], latencies[-1]
        result["mean_ms"] = statistics.fmean(latencies)
    log(f"latency: {len(latencies)}/{count} published in {result['shards']} shards, "
        f"p50 {result.get('p50_ms', float('nan')):.0f} ms, p99 {result.get('p99_ms', float('nan')):.0f} ms, "
        f"exit {result['exit_code']}")
    shutil.rmtree(root, ignore_errors=True)
    return result


def _fill(ingest: str, files: list[str]) -> None:
    """Hard-link (or copy, across file systems) the corpus into the ingest directory."""
    for path in files:
        target = os.path.join(ingest, os.path.basename(path))
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def _daemon_round(settings: Settings, files: list[str], shard_size: int, idle_flush: float, prepare) -> dict:
    root, ingest, output = _workdir(settings, "daemon")
    _fill(ingest, files)
    prepare()  # warm or evict the corpus, after the links exist (drop_caches also drops dentries)
    daemon = Daemon(settings.binary, _run_arguments(settings, ingest, output, idle_flush, None, shard_size), root)
    watcher = ShardWatcher(output)
    monitor = TreeMonitor(settings.interval)
    reap_zombies()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"command": " ".join(daemon.command)}
    monitor.start()
    watcher.start()
    daemon.start()
    try:
        result["ready_s"] = daemon.wait_ready()
        result["complete"] = watcher.wait_rows(len(files), 600, daemon)
        # The time the last shard was seen, not when this thread woke up.
        result["seconds"] = max(t for t, _, _ in watcher.shards) - daemon.started if watcher.shards else None
    except DaemonFailed as error:
        result["error"] = str(error)
    finally:
        result["exit_code"] = daemon.stop()
        watcher.stop()
        result["killed_stragglers"] = reap_descendants()
        monitor.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(rows=watcher.rows, duplicates=len(watcher.duplicates), peak_pss_mib=monitor.peak_pss_kib / 1024,
                  cpu_s=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                  log_tail=daemon.log_tail())
    shutil.rmtree(root, ignore_errors=True)
    return result


def _convert_round(settings: Settings, src: str, count: int, shard_size: int, prepare) -> dict:
    out = os.path.join(settings.runs_dir, "daemon-convert")
    shutil.rmtree(out, ignore_errors=True)
    prepare()
    m = run_measured(tiffshard.convert_command(settings.binary, src, out, settings.width, settings.height,
                                               settings.workers, shard_size), settings.interval)
    rows = tiffshard.read_shards(out)[0].shape[0] if m.returncode == 0 else 0
    shutil.rmtree(out, ignore_errors=True)
    return {"command": " ".join(m.command), "seconds": m.wall_s, "exit_code": m.returncode, "rows": rows,
            "complete": m.returncode == 0 and rows == count, "peak_pss_mib": m.peak_pss_mib, "cpu_s": m.cpu_s,
            "error": None if m.returncode == 0 else m.stderr[-800:]}


def throughput(settings: Settings, count: int, shard_size: int, idle_flush: float, log,
               evict: str | None = None) -> dict:
    """A pre-filled ingest directory drained by `run` against `convert` on the same
    files, alternating the order over the rounds. Warm page cache, or with `evict` (a
    `cache.METHODS` name) the corpus evicted before every run and checked out with mincore."""
    src = corpus.ensure(count)
    files = corpus.files(src)
    residual: list[float] = []

    def prepare() -> None:
        if evict:
            residual.append(cache.evict(files, evict))
        else:
            corpus.warm(src)

    if count % shard_size:
        log(f"daemon-throughput: {count} is not a multiple of --shard-size {shard_size}: the daemon "
            f"will wait {idle_flush:g} s of idleness before flushing its last, partial shard")
    runs: dict[str, list[dict]] = {"daemon": [], "convert": []}
    for round_index in range(settings.rounds):
        order = ("daemon", "convert") if round_index % 2 == 0 else ("convert", "daemon")
        for mode in order:
            run = (_daemon_round(settings, files, shard_size, idle_flush, prepare) if mode == "daemon"
                   else _convert_round(settings, src, count, shard_size, prepare))
            runs[mode].append(run)
            seconds = run.get("seconds")
            log(f"daemon-throughput round {round_index + 1}/{settings.rounds} {mode:<7} "
                + (f"{seconds:6.2f} s  {count / seconds:7.1f} img/s" if seconds else "no result")
                + f"  rows {run['rows']}  exit {run['exit_code']}"
                + ("" if run.get("complete") else f"  INCOMPLETE {run.get('error') or ''}"))
    medians = {}
    for mode, mode_runs in runs.items():
        good = [r["seconds"] for r in mode_runs if r.get("complete") and r.get("seconds")]
        medians[mode] = statistics.median(good) if good else None
    loss = None
    if medians["daemon"] and medians["convert"]:
        loss = 100.0 * (medians["daemon"] - medians["convert"]) / medians["convert"]
    return {"count": count, "shard_size": shard_size, "runs": runs, "median_s": medians, "daemon_slower_pct": loss,
            "evict": evict, "residual_max": max(residual, default=None)}


def startup(settings: Settings, rounds: int, evict: str | None, log) -> dict:
    """`run` with an empty ingest directory: time from spawn (just before fork/exec) to READY=1 on a
    real NOTIFY_SOCKET, `rounds` times; then SIGTERM. With `evict == "drop-caches"` every clean
    page of the machine is dropped first (the binary and its libraries are read from disk)."""
    ready_ms: list[float] = []
    exits: list[int] = []
    errors: list[str] = []
    command = ""
    for round_index in range(rounds):
        root, ingest, output = _workdir(settings, "startup")
        daemon = Daemon(settings.binary, _run_arguments(settings, ingest, output, 1, None, None), root)
        command = " ".join(daemon.command)
        if evict:
            cache.drop_caches()
        reap_zombies()
        daemon.start()
        outcome = "no READY=1"
        try:
            ready_ms.append(1000 * daemon.wait_ready())
            outcome = f"READY=1 after {ready_ms[-1]:.1f} ms"
        except DaemonFailed as error:
            errors.append(str(error))
        finally:
            exits.append(daemon.stop())
            reap_descendants()
        shutil.rmtree(root, ignore_errors=True)
        log(f"startup {'cold' if evict else 'warm'} {round_index + 1}/{rounds}: {outcome}, exit {exits[-1]}")
    result = {"command": command, "state": "cold" if evict else "warm", "rounds": rounds, "ready_ms": ready_ms,
              "exits": exits, "errors": errors}
    if ready_ms:
        result.update(p50_ms=statistics.median(ready_ms), min_ms=min(ready_ms), max_ms=max(ready_ms),
                      p90_ms=float(np.percentile(ready_ms, 90)))
    return result
