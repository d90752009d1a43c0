"""convert --partition as a real Slurm 22.05 job array, through examples/slurm/convert.sbatch.

Four array tasks convert one corpus into one folder; one task is cancelled (scancel) after it published some
shards and before it finished; that array index is submitted again (what users do: a requeued task waits
minutes on Slurm's BeginTime delay). Then `tiffshard index`, and: every source exactly once (a row or a
rejection record), the rows bit-identical and in the order of a single-machine `convert` of the same corpus.
"""
import os
import subprocess
import time

import partkit as pk
from slurmcluster import SlurmCluster

SETTINGS = ["--width", "64", "--height", "48", "--shard-size", "8", "--recursive"]


def published(out, partition):
    prefix = f"part-{partition:04d}-of-0004.shard-"
    return [n for n in os.listdir(out) if n.startswith(prefix) and n.endswith(".npy")]


def run(binary, work, repo):
    src, ref, out = (os.path.join(work, d) for d in ("src", "ref", "out"))
    names = pk.make_corpus(src, 320, seed=3, big_every=3)
    pk.tiffshard(binary, "convert", src, ref, *SETTINGS, "--workers", "2", "--no-progress")
    ref_pixels, ref_sources = pk.single_machine_rows(ref)
    script = os.path.join(repo, "examples", "slurm", "convert.sbatch")
    stats = {}
    with SlurmCluster(os.path.join(work, "slurm"), cpus=4) as cluster:
        env = cluster.env(SRC=src, OUT=out, TIFFSHARD=binary, TIFFSHARD_PARTITIONS="4", WIDTH="64", HEIGHT="48",
                          TIFFSHARD_ARGS="--shard-size 8 --batch-size 1 --recursive")
        logs = os.path.join(work, "task-%A_%a.log")
        started = time.monotonic()
        sbatch = subprocess.Popen(
            ["sbatch", "--parsable", "--wait", "--array=0-3", "--cpus-per-task=1", f"--output={logs}", script],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        job = sbatch.stdout.readline().strip().split(";")[0]
        pk.check(job.isdigit(), f"sbatch said {job!r}")
        # Cancel task 2 once it has published shards, before it is done.
        deadline = time.monotonic() + 120
        while True:
            os.makedirs(out, exist_ok=True)
            done = os.path.exists(os.path.join(out, "part-0002-of-0004.done.json"))
            pk.check(not done, "task 2 finished before it could be cancelled (corpus too small for this machine?)")
            if len(published(out, 2)) >= 2:
                break
            pk.check(time.monotonic() < deadline, "task 2 published nothing in 120 s:\n" + cluster.logs())
            time.sleep(0.005)
        cluster.run(["scancel", f"{job}_2"])
        cancelled_with = len(published(out, 2))
        sbatch.wait(timeout=300)
        stats["array_seconds"] = round(time.monotonic() - started, 1)
        pk.check(sbatch.returncode != 0, "sbatch --wait reports the cancelled task")
        for i in (0, 1, 3):
            pk.check(os.path.exists(os.path.join(out, f"part-{i:04d}-of-0004.done.json")), f"task {i} did not finish")
        pk.check(not os.path.exists(os.path.join(out, "part-0002-of-0004.done.json")), "the cancelled task has a marker")
        r = pk.tiffshard(binary, "index", out, check_rc=False)
        pk.check(r.returncode == 65 and "partition 2/4: shards but no completion marker" in r.stderr,
                 f"index of an unfinished array: {r.returncode} {r.stderr}")
        pk.check(not os.path.exists(os.path.join(out, "index.json")), "an incomplete index was written")
        # Submit the cancelled index again: it continues from its published shards.
        again = cluster.run(["sbatch", "--parsable", "--wait", "--array=2", "--cpus-per-task=1", f"--output={logs}",
                             script], env=env, check=False, timeout=300)
        pk.check(again.returncode == 0, f"resubmitted task: {again.returncode} {again.stderr}")
        log2 = open(os.path.join(work, f"task-{again.stdout.strip().split(';')[0]}_2.log")).read()
        pk.check("continuing after" in log2, f"the resubmitted task did not continue:\n{log2}")
        # Submitting it once more does nothing.
        once_more = cluster.run(["sbatch", "--parsable", "--wait", "--array=2", "--cpus-per-task=1",
                                 f"--output={logs}", script], env=env, check=False, timeout=300)
        log3 = open(os.path.join(work, f"task-{once_more.stdout.strip().split(';')[0]}_2.log")).read()
        pk.check(once_more.returncode == 0 and "already complete" in log3, f"rerun of a done partition:\n{log3}")
    pk.tiffshard(binary, "index", out)
    index, pixels, sources = pk.indexed_rows(out)
    pk.check(index["complete"] is True and index["partitions"]["done"] == [0, 1, 2, 3], f"index: {index['partitions']}")
    pk.check(sources == ref_sources, "rows are not the single-machine rows in the same order")
    pk.check(pixels.shape == ref_pixels.shape and (pixels == ref_pixels).all(), "rows are not bit-identical")
    rejected = pk.rejected_sources(out)
    pk.check(len(rejected) == len(set(rejected)), f"a rejection recorded twice: {sorted(rejected)}")
    everything = sorted(names + ["img-truncated.tif", "not-a-tiff.tif"])
    pk.check(sorted([s for s, _ in sources] + rejected) == everything, "a source is lost or duplicated")
    stats.update(images=len(sources), rejected=len(rejected), cancelled_after_shards=cancelled_with)
    return stats
