"""Issue 4, items 2 and 3: workers killed from outside, crashing decoders, crash loops, hung decodes.

Each case runs the real daemon and injects the fault into real worker processes: signals sent to
the worker's pid, or the worker's own fault hooks (`TIFFSHARD_FAULT_INJECT=crash:|abort:|hang:`).
"""

from __future__ import annotations

import os
import signal
import threading
import time

from faultkit import (Daemon, DaemonOptions, assert_exactly_once, check_shards, eventually, listing, reasons,
                     run_standalone, tiff_bytes)


def test_worker_killed_by_sigkill_and_sigsegv(ctx):
    """A worker held inside a decode is SIGKILLed, the retry's worker is SIGSEGVed: the file is
    quarantined as `decoder crashed (signal 11)`, every other file is published once, the pool is
    back to 2 after each kill."""
    with Daemon.in_scratch(ctx, "kill", DaemonOptions.tiny(workers=2), env={"TIFFSHARD_FAULT_INJECT": "hang:victim"}) as d:
        d.start()
        good = d.drop_many([f"g{i:03}.tif" for i in range(30)])
        d.drop("victim.tif", tiff_bytes(99))
        good += d.drop_many([f"h{i:03}.tif" for i in range(10)], seed=30)
        first = eventually(d.paused_worker, 20, "a worker stuck decoding victim.tif")
        before = d.worker_pids()
        os.kill(first, signal.SIGKILL)
        ctx.injected(f"SIGKILL to worker pid {first} while it decodes victim.tif (pool was {before})")
        second = eventually(lambda: (lambda p: p if p and p != first else None)(d.paused_worker()), 20,
                            "the retry of victim.tif on a new worker")
        pool = d.wait_workers(2)
        ctx.verified(f"pool back to 2 workers {pool} after SIGKILL; victim.tif retried on worker pid {second}")
        os.kill(second, signal.SIGSEGV)
        ctx.injected(f"SIGSEGV to worker pid {second} during the retry")
        d.wait_accounted(len(good), 1)
        pool = d.wait_workers(2)
        assert first not in pool and second not in pool
        why = reasons(d.failures())
        assert why == {"victim.tif": "decoder crashed (signal 11)"}, why
        assert listing(d.failed) == ["victim.tif"], listing(d.failed)
        ctx.verified("victim.tif tried twice (signal 9, then signal 11), quarantined: "
                     "failures.jsonl says 'decoder crashed (signal 11)', file in failed-dir")
        later = d.drop_many([f"late{i}.tif" for i in range(5)], seed=50)
        d.wait_rows(len(good) + 5)
        rows = d.rows()
        assert_exactly_once(rows, good + later)
        shards = check_shards(d.output)
        assert len(listing(d.processed)) == len(good) + 5 and listing(d.ingest) == []
        log = d.log()
        assert "worker exited: signal 9" in log and "worker exited: signal 11" in log
        assert d.running() and d.paused_worker() is None
        ctx.verified(f"{len(rows)} good files in exactly one row each ({shards} shards, npy rows = manifest rows), "
                     f"all moved to processed-dir, pool {d.worker_pids()} (2 workers), log names signal 9 and 11")
        assert d.stop() == 0


def test_crash_and_abort_injection(ctx):
    """Decoders that SIGSEGV (`crash:`) or abort (`abort:`) on one file: each is quarantined after
    two tries with its signal, the neighbours in the same batch are published once."""
    with Daemon.in_scratch(ctx, "crash", DaemonOptions.tiny(workers=2), env={"TIFFSHARD_FAULT_INJECT": "crash:segv;abort:abrt"}) as d:
        d.start()
        names = [f"g{i:03}.tif" for i in range(40)]
        good = []
        for i, name in enumerate(names):
            d.drop(name, tiff_bytes(i))
            good.append(name)
            if i == 10:
                d.drop("segv-1.tif", tiff_bytes(1))
            if i == 25:
                d.drop("abrt-1.tif", tiff_bytes(2))
        ctx.injected("segv-1.tif raises SIGSEGV and abrt-1.tif calls abort() in the worker, among 40 good files")
        d.wait_accounted(40, 2)
        why = reasons(d.failures())
        assert why == {"segv-1.tif": "decoder crashed (signal 11)", "abrt-1.tif": "decoder crashed (signal 6)"}, why
        assert_exactly_once(d.rows(), good)
        check_shards(d.output)
        pool = d.wait_workers(2)
        exits = d.log().count("worker exited: signal")
        assert exits == 4, f"expected 4 worker deaths (2 files x 2 tries), log shows {exits}"
        ctx.verified(f"2 files quarantined with 'decoder crashed (signal 11)' / '(signal 6)' after 2 tries each "
                     f"({exits} worker deaths), 40 good files in exactly one row, pool back to 2 {pool}")
        assert d.stop() == 0


class PoolWatcher(threading.Thread):
    """Records when worker pids appear and disappear (polling /proc)."""

    def __init__(self, daemon: Daemon):
        super().__init__(daemon=True)
        self.d = daemon
        self.events: list[tuple[float, str, int]] = []
        self.done = False
        # The pool as it is now, before the case injects anything: taken when the thread runs, a
        # worker that already crashed and was respawned (0 s after the first death) would be missed.
        self._seen: set[int] = set(daemon.worker_pids())

    def run(self):
        seen = self._seen
        while not self.done:
            now = set(self.d.worker_pids())
            t = time.monotonic()
            for pid in sorted(seen - now):
                self.events.append((t, "exit", pid))
            for pid in sorted(now - seen):
                self.events.append((t, "spawn", pid))
            seen = now
            time.sleep(0.01)

    def respawn_delays(self) -> list[float]:
        delays, last_exit = [], None
        for t, kind, _ in self.events:
            if kind == "exit":
                last_exit = t
            elif last_exit is not None:
                delays.append(t - last_exit)
                last_exit = None
        return delays


def test_crash_loop_backs_off_and_finishes(ctx):
    """Phase 1: one worker, three crashing files in a row = six consecutive crashes. The backoff is
    the file's (each is tried max-attempts times, its own retries delayed), not the pool's: every
    death has a file to blame, so each replacement starts at once and the sixth respawn is no slower
    than the first (a global backoff made it wait >= 2 s). Phase 2: six crashing files among 18 good
    ones: every one is quarantined, every good file published, the pool ends at N."""
    with Daemon.in_scratch(ctx, "crashloop", DaemonOptions.tiny(workers=1), env={"TIFFSHARD_FAULT_INJECT": "crash:boom"}) as d:
        d.start()
        watcher = PoolWatcher(d)
        watcher.start()
        for i in range(3):
            d.drop(f"boom-{i}.tif", tiff_bytes(i))
        ctx.injected("3 files that crash the decoder (SIGSEGV), 1 worker: 6 consecutive worker deaths")
        d.wait_failures(3)
        # The daemon's log counts the deaths (a worker that lives less than one /proc poll, 10 ms here, can
        # escape the watcher on a loaded machine); the watcher times the respawns it saw.
        deaths_logged = lambda: d.log_text().count("worker exited: signal 11")
        eventually(lambda: deaths_logged() >= 6, 40, lambda: f"six worker deaths in the log: {d.log_tail()}")
        pool = d.wait_workers(1)
        time.sleep(0.2)
        watcher.done = True
        watcher.join()
        delays = watcher.respawn_delays()
        assert deaths_logged() == 6, f"expected 6 worker deaths, the log says {deaths_logged()}: {d.log_tail()}"
        # Each crash is blamed on the file that was decoding: no pool-wide backoff. A global one waited
        # 0.25 s doubling, 2 s before the sixth respawn; a generous bound keeps slow machines green. The
        # last respawns are the ones a global backoff would have delayed most.
        assert len(delays) >= 3 and max(delays[-2:]) < 1.5, (delays, watcher.events)
        why = reasons(d.failures())
        assert set(why.values()) == {"decoder crashed (signal 11)"} and len(why) == 3, why
        assert all(f.get("category") == "crashed" for f in d.failures()), d.failures()
        ctx.note("respawn delays after each death (s): " + ", ".join(f"{x:.2f}" for x in delays))
        ctx.verified(f"6 consecutive crashes, each blamed on its file: respawns at once (last {delays[-1]:.2f} s), "
                     f"pool back to 1 {pool}, 3 files quarantined with 'decoder crashed (signal 11)', "
                     f"category 'crashed'")

        good = []
        for i in range(18):
            d.drop(f"g{i:03}.tif", tiff_bytes(i))
            good.append(f"g{i:03}.tif")
            if i % 3 == 1:
                d.drop(f"boom-b{i:02}.tif", tiff_bytes(i))
        ctx.injected("6 more crashing files interleaved with 18 good ones")
        d.wait_accounted(18, 9, timeout=60)
        why = reasons(d.failures())
        assert len(why) == 9 and set(why.values()) == {"decoder crashed (signal 11)"}, why
        assert_exactly_once(d.rows(), good)
        check_shards(d.output)
        pool = d.wait_workers(1, timeout=40)
        assert d.running()
        ctx.verified(f"9 crashing files quarantined, 18 good files in exactly one row, daemon alive, pool {pool}")
        assert d.stop() == 0


def test_hung_decode_is_killed_after_decode_timeout(ctx):
    """`--decode-timeout 2` and a decode that never returns: the worker is killed, the file
    quarantined as `decode timed out after 2 s`, the pool is back to 2, the rest is published."""
    with Daemon.in_scratch(ctx, "hang", DaemonOptions.tiny(workers=2, decode_timeout=2),
                           env={"TIFFSHARD_FAULT_INJECT": "hang:stuck"}) as d:
        d.start()
        good = d.drop_many([f"g{i:03}.tif" for i in range(10)])
        d.drop("stuck.tif", tiff_bytes(7))
        good += d.drop_many([f"h{i:03}.tif" for i in range(10)], seed=10)
        stuck = eventually(d.paused_worker, 10, "a worker stuck in the decode of stuck.tif")
        ctx.injected(f"stuck.tif never finishes decoding (worker pid {stuck} blocked in pause())")
        d.wait_accounted(20, 1, timeout=30)
        why = reasons(d.failures())
        assert why == {"stuck.tif": "decode timed out after 2 s"}, why
        assert listing(d.failed) == ["stuck.tif"]
        pool = d.wait_workers(2)
        assert stuck not in pool
        assert_exactly_once(d.rows(), good)
        check_shards(d.output)
        assert "killing worker: decode of one image took longer than 2 s" in d.log()
        ctx.verified(f"worker {stuck} killed after the 2 s limit, "
                     "stuck.tif quarantined ('decode timed out after 2 s'), "
                     f"pool back to 2 {pool}, 20 good files in exactly one row")
        assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
