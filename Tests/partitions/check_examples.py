"""The shipped examples are well formed (kubectl is not available here: the structure is checked with PyYAML):
the Indexed Job sets completionMode Indexed, TIFFSHARD_PARTITIONS equal to completions, runs convert on a
shared volume, and the index Job indexes the same folder; the DaemonSet names each node's shards after the
node (TIFFSHARD_INSTANCE from spec.nodeName), watches a hostPath ingest and publishes into a shared claim. The
sbatch script passes `bash -n` and is run for real by test_slurm."""
import os
import subprocess

import yaml

import partkit as pk


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def mounts(pod_spec, container):
    volumes = {v["name"]: v for v in pod_spec["volumes"]}
    return {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}


def check_indexed_job(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    jobs = {d["metadata"]["name"]: d for d in docs}
    pk.check(all(d["apiVersion"] == "batch/v1" and d["kind"] == "Job" for d in docs), "batch/v1 Jobs expected")
    convert = jobs["tiffshard-convert"]["spec"]
    pk.check(convert["completionMode"] == "Indexed", "completionMode must be Indexed")
    n = convert["completions"]
    pk.check(isinstance(n, int) and n >= 1 and convert["parallelism"] <= n, "completions/parallelism")
    pod = convert["template"]["spec"]
    pk.check(pod["restartPolicy"] in ("Never", "OnFailure"), "a Job's pods must not restart Always")
    (c,) = pod["containers"]
    pk.check(c["command"][:2] == ["tiffshard", "convert"] and len(c["command"]) >= 4, f"command: {c['command']}")
    env = env_of(c)
    pk.check(env["TIFFSHARD_PARTITIONS"]["value"] == str(n), "TIFFSHARD_PARTITIONS must equal completions")
    pk.check("JOB_COMPLETION_INDEX" not in env, "the Job controller sets JOB_COMPLETION_INDEX itself")
    for key in ("TIFFSHARD_WIDTH", "TIFFSHARD_HEIGHT"):
        pk.check(key in env, f"{key} (convert needs width and height)")
    src, out = c["command"][2], c["command"][3]
    shared = mounts(pod, c)
    for folder in (src, out):
        mount = next((m for m in shared if folder.startswith(m.rstrip("/") + "/")), None)
        pk.check(mount is not None and "persistentVolumeClaim" in shared[mount], f"{folder} is not on the shared claim")
    index = jobs["tiffshard-index"]["spec"]["template"]["spec"]
    (ic,) = index["containers"]
    pk.check(ic["command"] == ["tiffshard", "index", out], f"index command: {ic['command']}")
    pk.check(mounts(index, ic).keys() == shared.keys(), "the index Job mounts the same volume")


def check_daemonset(path):
    (ds,) = [d for d in yaml.safe_load_all(open(path)) if d]
    pk.check(ds["apiVersion"] == "apps/v1" and ds["kind"] == "DaemonSet", "apps/v1 DaemonSet expected")
    spec = ds["spec"]
    labels = spec["template"]["metadata"]["labels"]
    pk.check(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()), "selector must match")
    pod = spec["template"]["spec"]
    (c,) = pod["containers"]
    pk.check(c["command"] == ["tiffshard", "run"], f"command: {c['command']}")
    env = env_of(c)
    pk.check(env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName", "NODE_NAME from the node")
    pk.check(env["TIFFSHARD_INSTANCE"]["value"] == "$(NODE_NAME)", "each node's shards carry its name")
    m = mounts(pod, c)
    ingest, output = env["TIFFSHARD_INGEST"]["value"], env["TIFFSHARD_OUTPUT"]["value"]
    under = lambda path, mount: path == mount or path.startswith(mount.rstrip("/") + "/")  # noqa: E731
    pk.check(any(under(ingest, k) and "hostPath" in v for k, v in m.items()), "ingest on a hostPath")
    pk.check(any(under(output, k) and "persistentVolumeClaim" in v for k, v in m.items()), "output on a shared claim")
    pk.check(pod.get("terminationGracePeriodSeconds", 30) >= 60, "time to publish the partial shard on SIGTERM")


def run(binary, work, repo):
    check_indexed_job(os.path.join(repo, "examples", "kubernetes", "convert-indexed-job.yaml"))
    check_daemonset(os.path.join(repo, "examples", "kubernetes", "daemonset.yaml"))
    script = os.path.join(repo, "examples", "slurm", "convert.sbatch")
    subprocess.run(["bash", "-n", script], check=True)
    text = open(script).read()
    pk.check("#SBATCH --array=0-15" in text and 'TIFFSHARD_PARTITIONS:-16' in text, "array size and N agree")
    # Every environment variable the examples set is one tiffshard reads.
    help_text = pk.tiffshard(binary, "convert", "--help").stdout + pk.tiffshard(binary, "run", "--help").stdout
    for path in ("convert-indexed-job.yaml", "daemonset.yaml"):
        for doc in yaml.safe_load_all(open(os.path.join(repo, "examples", "kubernetes", path))):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                for name in env_of(c):
                    if name.startswith("TIFFSHARD_") and name != "TIFFSHARD_PARTITIONS":
                        flag = "--" + name[len("TIFFSHARD_"):].lower().replace("_", "-")
                        pk.check(flag in help_text, f"{path}: {name} names no key ({flag})")
    return None
