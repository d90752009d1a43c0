"""follow=True against a running `tiffshard run` daemon: every image exactly once, as published."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

import tiffshard
from conftest import direct_rows, write_tiffs

BATCHES, PER_BATCH, PAUSE = 3, 5, 1.5
TIMEOUT = 6.0  # the reader stops this long after the last shard (idle-flush is 1 s)


def test_follow_yields_each_image_once_while_the_daemon_publishes(binary: Path, tmp_path: Path):
    dirs = {d: tmp_path / d for d in ("ingest", "shards", "processed", "failed", "staging")}
    for d in dirs.values():
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_SOCKET", "WATCHDOG_"))}
    daemon = subprocess.Popen(
        [str(binary), "run", "--ingest", str(dirs["ingest"]), "--output", str(dirs["shards"]),
         "--processed-dir", str(dirs["processed"]), "--failed-dir", str(dirs["failed"]),
         "--width", "32", "--height", "24", "--shard-size", "4", "--workers", "1",
         "--idle-flush", "1", "--max-shard-age", "2", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    seen: list[tuple[str, np.ndarray, float]] = []
    failure: list[BaseException] = []

    def read() -> None:
        try:
            ds = tiffshard.open(dirs["shards"], follow=True, timeout=TIMEOUT, poll_interval=0.1)
            for image, record in ds.items():
                seen.append((record["source"], np.array(image), time.monotonic()))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            failure.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    dropped: list[str] = []
    last_drop = 0.0
    try:
        for b in range(BATCHES):
            names = write_tiffs(dirs["staging"], PER_BATCH, seed=b, name=lambda i, b=b: f"b{b}-{i}.tif")
            for n in names:
                (dirs["staging"] / n).rename(dirs["ingest"] / n)
            dropped += names
            last_drop = time.monotonic()
            time.sleep(PAUSE)
        reader.join(timeout=60)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            _, err = daemon.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            _, err = daemon.communicate()
    assert not reader.is_alive(), "the follow reader did not stop after its timeout"
    assert not failure, f"reader failed: {failure[0]!r}"
    assert daemon.returncode == 0, err[-2000:]

    sources = [s for s, _, _ in seen]
    assert sorted(sources) == sorted(dropped), "every dropped image exactly once"
    published = dict((s, image) for s, image in direct_rows(dirs["shards"]))
    assert all(np.array_equal(image, published[s]) for s, image, _ in seen), "equal to np.load of the shard"
    early = [s for s, _, t in seen if t < last_drop]
    assert early, "rows came while the daemon was still publishing (followed, not read at the end)"
    assert len(list(dirs["shards"].glob("shard-*.npy"))) >= BATCHES
