"""Issue 4, item 6: the inotify event queue overflows.

The daemon is stopped (SIGSTOP) while more files than `fs.inotify.max_queued_events` are renamed
into the ingest directory in one burst; the kernel drops events and queues IN_Q_OVERFLOW. After
SIGCONT the daemon must notice, rescan, and ingest every file exactly once.
"""

from __future__ import annotations

import os
import signal
import time

from faultkit import (Daemon, DaemonOptions, assert_exactly_once, check_shards, eventually, listing, run_standalone,
                     tiff_bytes, write_file)


def test_event_queue_overflow_rescans_and_ingests_every_file_once(ctx):
    with open("/proc/sys/fs/inotify/max_queued_events") as f:
        queue = int(f.read())
    count = queue + (5000 if ctx.quick else 30000)
    with Daemon.in_scratch(ctx, "overflow", DaemonOptions.tiny(
            workers=2, shard_size=1000, width=8, height=8, extra=["--batch-size", "64"])) as d:
        d.start()
        data = [tiff_bytes(i) for i in range(16)]
        names = [f"burst-{i:06}.tif" for i in range(count)]
        # A scan holds files younger than a second until they settle: date the whole burst 2 s back.
        settled = time.time_ns() - 2_000_000_000
        for i, name in enumerate(names):
            path = os.path.join(d.staging, name)
            write_file(path, data[i % 16])
            os.utime(path, ns=(settled, settled))
        d.signal(signal.SIGSTOP)
        started = time.monotonic()
        try:
            for name in names:
                os.rename(os.path.join(d.staging, name), os.path.join(d.ingest, name))
        finally:
            d.signal(signal.SIGCONT)
        ctx.injected(f"daemon SIGSTOPped, {count} files renamed into ingest/ in "
                     f"{time.monotonic() - started:.2f} s (max_queued_events = {queue}), SIGCONT")
        d.wait_rows(count, timeout=120)
        elapsed = time.monotonic() - started
        eventually(lambda: listing(d.ingest) == [], 20, lambda: f"ingest/ empty (has {len(listing(d.ingest))})")
        rows = d.rows()
        assert_exactly_once(rows, names)
        shards = check_shards(d.output)
        assert d.failures() == [], d.failures()[:3]
        assert len(listing(d.processed)) == count
        log = d.log()
        overflow = [l for l in log.splitlines() if "inotify event queue overflowed" in l]
        assert overflow, "no overflow logged"
        ctx.verified(f"log: {overflow[0].strip()}")
        ctx.verified(f"{count} files in exactly one row each ({len(rows)} rows, {shards} shards, npy rows = "
                     f"manifest rows), 0 duplicates, 0 lost, 0 rejected, all in processed-dir, {elapsed:.1f} s "
                     f"({count / elapsed:.0f} img/s)")
        ctx.record("overflow_files", count)
        ctx.record("overflow_rescans", len(overflow))
        assert d.stop() == 0


if __name__ == "__main__":
    run_standalone(globals())
