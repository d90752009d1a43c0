"""convert --partition killed at random points (SIGKILL, SIGTERM), and run again until it completes: the
rows equal an uninterrupted run's, bit for bit, in the same order; no leftovers; a finished partition's rerun
is a no-op; the scheduler variables pick the partition when --partition is absent, and wrong ones are refused.

pages: first: the concatenated partitions are a single-machine `convert`'s rows. pages: all (multi-page files,
a window of workers x batch-size files): each partition restarted equals that partition uninterrupted; against
a single-machine run, every page once, each file's pages in order (the interleaving at partition boundaries
may differ: see README, "Many machines").
"""
import os
import random
import signal
import subprocess
import time

import partkit as pk

N = 3


def convert_killed(binary, src, out, settings, partition, rng, stats, duration):
    """Runs partition `partition` of N into `out`, killing it at random moments (within the `duration` an
    uninterrupted run took) until it completes; counts kills that came after a shard and before the end."""
    marker = os.path.join(out, f"part-{partition:04d}-of-{N:04d}.done.json")
    attempt = 0
    while True:
        p = subprocess.Popen([binary, "convert", src, out, *settings, "--partition", f"{partition}/{N}", "--no-progress"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # The first kill right after the partition's first shard is published (between shards for sure), then
        # anywhere.
        attempt += 1
        try:
            if attempt == 1:
                while p.poll() is None and not (os.path.isdir(out) and any(
                        n.startswith(f"part-{partition:04d}") and n.endswith(".npy") for n in os.listdir(out))):
                    time.sleep(0.001)
                if p.poll() is None:
                    raise subprocess.TimeoutExpired(p.args, 0)
                p.wait()
            elif attempt <= 6:
                p.wait(timeout=rng.uniform(0.0, duration))
            else:
                p.wait()  # enough kills for this partition: let it finish
        except subprocess.TimeoutExpired:
            sig = signal.SIGKILL if rng.random() < 0.7 else signal.SIGTERM
            p.send_signal(sig)
            p.wait()
            stats["kills" if sig == signal.SIGKILL else "terms"] += 1
            shards = [n for n in os.listdir(out) if n.startswith(f"part-{partition:04d}") and n.endswith(".npy")] \
                if os.path.isdir(out) else []
            stats["midway"] += bool(shards) and not os.path.exists(marker)
            continue
        err = p.stderr.read()
        pk.check(p.returncode == 0, f"partition {partition}: exit {p.returncode}: {err}")
        pk.check("complete" in err, err)
        return


def run_case(binary, work, pages, rng):
    src = os.path.join(work, f"src-{pages}")
    names = pk.make_corpus(src, 120, seed=5, multipage=True, big_every=4)
    settings = ["--width", "24", "--height", "16", "--shard-size", "4", "--workers", "2", "--batch-size", "2",
                "--pages", pages, "--recursive"]
    single, clean, killed = (os.path.join(work, f"{d}-{pages}") for d in ("single", "clean", "killed"))
    pk.tiffshard(binary, "convert", src, single, *settings, "--no-progress")
    durations = []
    for i in range(N):
        started = time.monotonic()
        pk.tiffshard(binary, "convert", src, clean, *settings, "--partition", f"{i}/{N}", "--no-progress")
        durations.append(time.monotonic() - started)
    stats = {"kills": 0, "terms": 0, "midway": 0}
    for i in range(N):
        convert_killed(binary, src, killed, settings, i, rng, stats, durations[i])
    leftovers = [n for n in os.listdir(killed) if n.startswith(".")]
    pk.check(not leftovers, f"leftovers after the reruns: {leftovers}")
    again = pk.tiffshard(binary, "convert", src, killed, *settings, "--partition", f"1/{N}", "--no-progress")
    pk.check("already complete" in again.stderr and "nothing to do" in again.stderr, again.stderr)
    for folder in (clean, killed):
        pk.tiffshard(binary, "index", folder)
    _, clean_pixels, clean_sources = pk.indexed_rows(clean)
    index, pixels, sources = pk.indexed_rows(killed)
    pk.check(sources == clean_sources, f"pages {pages}: restarted rows differ from uninterrupted ones")
    pk.check(pixels.shape == clean_pixels.shape and (pixels == clean_pixels).all(), "restarted rows not bit-identical")
    single_pixels, single_sources = pk.single_machine_rows(single)
    if pages == "first":
        pk.check(sources == single_sources and (pixels == single_pixels).all(),
                 "partitions concatenated are not the single-machine rows")
    else:
        pk.check(sorted(sources) == sorted(single_sources) and len(set(sources)) == len(sources),
                 "pages: all: not every page exactly once")
        for name in {s for s, _ in sources}:
            order = [p for s, p in sources if s == name]
            pk.check(order == sorted(order), f"{name}: pages out of order {order}")
    rejected = pk.rejected_sources(killed)
    pk.check(len(rejected) == len(set(rejected)), f"a rejection recorded twice: {rejected}")
    pk.check(sorted({s for s, _ in sources} | set(rejected)) == sorted(names + ["img-truncated.tif", "not-a-tiff.tif"]),
             "a source is lost")
    stats["rows"] = len(sources)
    pk.check(stats["midway"] >= 3, f"too few kills between the first shard and the end: {stats}")
    return stats


def check_environment(binary, work):
    src = os.path.join(work, "src-first")
    out = os.path.join(work, "env")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "TIFFSHARD_", "JOB_COMPLETION"))}
    settings = ["--width", "8", "--height", "8", "--no-progress", "--recursive"]
    slurm = dict(base, SLURM_ARRAY_TASK_ID="5", SLURM_ARRAY_TASK_MIN="4", SLURM_ARRAY_TASK_MAX="6",
                 SLURM_ARRAY_TASK_COUNT="3")
    pk.tiffshard(binary, "convert", src, out, *settings, env=slurm)
    pk.check(os.path.exists(os.path.join(out, "part-0001-of-0003.done.json")), "Slurm task 5 of 4-6 is partition 1/3")
    k8s = dict(base, JOB_COMPLETION_INDEX="2", TIFFSHARD_PARTITIONS="3")
    pk.tiffshard(binary, "convert", src, out, *settings, env=k8s)
    pk.check(os.path.exists(os.path.join(out, "part-0002-of-0003.done.json")), "Indexed Job pod 2 of 3")
    flag = pk.tiffshard(binary, "convert", src, out, *settings, "--partition", "0/3", env=k8s)
    pk.check(os.path.exists(os.path.join(out, "part-0000-of-0003.done.json")), f"--partition wins: {flag.stderr}")
    pk.tiffshard(binary, "index", out)
    for env, args, code, text in [
        (dict(base, SLURM_ARRAY_TASK_ID="2", SLURM_ARRAY_TASK_MIN="2", SLURM_ARRAY_TASK_COUNT="1"), [], 78,
         "one-task array"),
        (dict(base, JOB_COMPLETION_INDEX="1"), [], 78, "TIFFSHARD_PARTITIONS"),
        (base, ["--partition", "3/3"], 64, "I must be less than N"),
        (base, ["--partition", "x"], 64, "expected I/N"),
        (dict(base, TIFFSHARD_PARTITION="0/0"), [], 78, "TIFFSHARD_PARTITION"),
    ]:
        r = pk.tiffshard(binary, "convert", src, os.path.join(work, "refused"), *settings, *args, env=env,
                         check_rc=False)
        pk.check(r.returncode == code and text in r.stderr, f"{args} {r.returncode}: {r.stderr}")
    pk.check(not os.path.exists(os.path.join(work, "refused")), "a refused task wrote something")
    # Another file list than the one a finished partition was made from: refused, not skipped.
    with open(os.path.join(src, "zz-new.tif"), "wb") as f:
        f.write(b"II*\x00")
    r = pk.tiffshard(binary, "convert", src, out, *settings, "--partition", "0/3", check_rc=False)
    pk.check(r.returncode == 65 and "SRC changed" in r.stderr, f"changed SRC: {r.returncode} {r.stderr}")
    os.unlink(os.path.join(src, "zz-new.tif"))


def run(binary, work, repo):
    rng = random.Random(20261125)
    stats = {pages: run_case(binary, work, pages, rng) for pages in ("first", "all")}
    check_environment(binary, work)
    return stats
