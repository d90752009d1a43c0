"""A fleet: three daemons (`tiffshard run`, instance a, b, c), each watching its own ingest folder, publish into
one output folder at the same time while writers drop files into all three. `tiffshard index` over the
folder: every file exactly once, each row equal to a single-machine `convert` of the same file, the shards
ordered by instance name, then sequence."""
import os
import shutil
import signal
import subprocess
import threading
import time

import numpy as np

import partkit as pk

INSTANCES = ["a", "b", "c"]
PER_INSTANCE = 80


def run(binary, work, repo):
    corpus = os.path.join(work, "corpus")
    names = pk.make_corpus(corpus, PER_INSTANCE * len(INSTANCES), seed=9)
    shared = os.path.join(work, "shards")
    daemons = []
    for name in INSTANCES:
        for d in ("ingest", "processed", "failed"):
            os.makedirs(os.path.join(work, name, d))
        argv = [binary, "run", "--instance", name, "--ingest", os.path.join(work, name, "ingest"),
                "--output", shared, "--processed-dir", os.path.join(work, name, "processed"),
                "--failed-dir", os.path.join(work, name, "failed"), "--width", "32", "--height", "24",
                "--workers", "1", "--shard-size", "16", "--idle-flush", "0.3", "--max-shard-age", "1",
                "--log-level", "warning"]
        log = open(os.path.join(work, name + ".log"), "w")
        daemons.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
    share = {name: [n for i, n in enumerate(names) if i % len(INSTANCES) == k] for k, name in enumerate(INSTANCES)}

    def writer(name):
        ingest = os.path.join(work, name, "ingest")
        for n in share[name]:
            flat = n.replace("/", "_")
            tmp = os.path.join(ingest, "." + flat + ".tmp")
            shutil.copyfile(os.path.join(corpus, n), tmp)
            os.rename(tmp, os.path.join(ingest, flat))  # renamed in: IN_MOVED_TO, complete
            time.sleep(0.002)

    threads = [threading.Thread(target=writer, args=(n,)) for n in INSTANCES]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every file is moved to processed (published) once its shard is durable.
    deadline = time.monotonic() + 120
    while True:
        moved = sum(len(os.listdir(os.path.join(work, n, "processed"))) for n in INSTANCES)
        if moved == len(names):
            break
        for d in daemons:
            pk.check(d.poll() is None, f"a daemon exited: {d.returncode}")
        pk.check(time.monotonic() < deadline, f"{moved} of {len(names)} files published after 120 s")
        time.sleep(0.05)
    seconds = time.monotonic() - started
    for d in daemons:
        d.send_signal(signal.SIGTERM)
    for d in daemons:
        pk.check(d.wait(timeout=60) == 0, f"daemon exit {d.returncode}")
    pk.tiffshard(binary, "index", shared)
    index, pixels, sources = pk.indexed_rows(shared)
    pk.check(index["complete"] and index["instances"] == INSTANCES and index["partitions"] is None, str(index)[:300])
    files = [s["file"] for s in index["shards"]]
    pk.check(files == sorted(files, key=lambda f: (f.split("-shard-")[0], f)), "shards not in instance, sequence order")
    flat = sorted(n.replace("/", "_") for n in names)
    pk.check(sorted(s for s, _ in sources) == flat, "a file is lost or duplicated")
    # Each row is what a single-machine convert makes of the same file.
    single = os.path.join(work, "single")
    pk.tiffshard(binary, "convert", corpus, single, "--width", "32", "--height", "24", "--recursive", "--no-progress")
    ref_pixels, ref_sources = pk.single_machine_rows(single)
    reference = {s.replace("/", "_"): ref_pixels[i] for i, (s, _) in enumerate(ref_sources)}
    for i, (s, _) in enumerate(sources):
        pk.check(np.array_equal(pixels[i], reference[s]), f"{s}: row differs from a single-machine convert")
    return {"files": len(names), "shards": len(files), "seconds": round(seconds, 1)}
