"""The tiffshard side: find or build the binary, its commands, and its output.

Everything here follows the CLI contract (specs/CLI.md): `convert SRC OUT
--width W --height H --workers N [--shard-size K]`, shards named
`shard-NNNNNNNN.npy` (optionally with an instance prefix) next to a `.jsonl`
manifest with one object per row holding at least `row` and `source`
(relative to SRC or the ingest directory), and a last stderr line
`converted N images into S shards in T s (R img/s); rejected K`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

SUMMARY = re.compile(
    r"converted (?P<images>\d+) images into (?P<shards>\d+) shards in (?P<seconds>[\d.]+) s"
    r".*rejected (?P<rejected>\d+)"
)


def default_binary(repo: str) -> str:
    return os.path.join(repo, ".build", "release", "tiffshard")


def resolve_binary(explicit: str | None, repo: str, build: bool) -> str:
    """The tiffshard executable: `explicit`, else the repo's release build,
    built with `swift build -c release --product tiffshard` if missing."""
    if explicit:
        if not os.access(explicit, os.X_OK):
            sys.exit(f"run.py: --tiffshard {explicit} is not an executable file")
        return os.path.abspath(explicit)
    binary = default_binary(repo)
    if os.access(binary, os.X_OK):
        return binary
    if not build:
        sys.exit(f"run.py: {binary} is missing and --no-build was given")
    if shutil.which("swift") is None:
        sys.exit("run.py: tiffshard is not built and `swift` is not on PATH (or pass --tiffshard PATH)")
    command = ["swift", "build", "-c", "release", "--product", "tiffshard"]
    print(f"run.py: building tiffshard: {' '.join(command)} (in {repo})", file=sys.stderr)
    if subprocess.run(command, cwd=repo).returncode != 0 or not os.access(binary, os.X_OK):
        sys.exit("run.py: the release build of tiffshard failed")
    return binary


def supports(binary: str, subcommand: str) -> bool:
    """Whether `tiffshard SUBCOMMAND --help` works (the daemon may not exist yet)."""
    try:
        result = subprocess.run(
            [binary, subcommand, "--help"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def convert_command(binary: str, src: str, out: str, width: int, height: int, workers: int,
                    shard_size: int | None = None) -> list[str]:
    command = [binary, "convert", src, out, "--width", str(width), "--height", str(height),
               "--workers", str(workers)]
    if shard_size:
        command += ["--shard-size", str(shard_size)]
    return command


def parse_summary(line: str) -> dict | None:
    """The numbers of convert's last stderr line, or None if it does not match."""
    match = SUMMARY.search(line)
    if not match:
        return None
    return {key: float(value) if key == "seconds" else int(value) for key, value in match.groupdict().items()}


def published_manifests(out: str) -> list[str]:
    """Stems of complete shards in `out`: a final-named .jsonl with its .npy, in name order."""
    try:
        names = set(os.listdir(out))
    except FileNotFoundError:
        return []
    stems = []
    for name in names:
        if name.endswith(".jsonl") and not name.startswith(".") and name != "rejected.jsonl":
            stem = name[: -len(".jsonl")]
            if stem + ".npy" in names:
                stems.append(stem)
    return sorted(stems)


def read_manifest(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_shards(out: str) -> tuple[np.ndarray, list[str]]:
    """All rows of all shards in `out` concatenated in shard order, with their sources."""
    arrays, sources = [], []
    for stem in published_manifests(out):
        records = read_manifest(os.path.join(out, stem + ".jsonl"))
        shard = np.load(os.path.join(out, stem + ".npy"), mmap_mode="r")
        for record in records:
            arrays.append(np.asarray(shard[record["row"]]))
            sources.append(record["source"])
    if not arrays:
        return np.zeros((0, 0, 0), np.uint8), []
    return np.stack(arrays), sources


def compare_with_baseline(baseline_npy: str, baseline_sources: list[str], out: str) -> dict:
    """Row-by-row comparison of tiffshard's shards with baseline.npy, matched by source."""
    baseline = np.load(baseline_npy, mmap_mode="r")
    rows, sources = read_shards(out)
    index = {source: i for i, source in enumerate(baseline_sources)}
    identical = compared = 0
    max_diff = 0
    unmatched = []
    for row, source in zip(rows, sources):
        i = index.get(source)
        if i is None:
            unmatched.append(source)
            continue
        reference = np.asarray(baseline[i])
        if reference.shape != row.shape:
            unmatched.append(source)
            continue
        compared += 1
        diff = int(np.abs(reference.astype(np.int16) - row.astype(np.int16)).max())
        identical += diff == 0
        max_diff = max(max_diff, diff)
    order_matches = sources == baseline_sources
    return {
        "baseline_rows": len(baseline_sources),
        "tiffshard_rows": len(sources),
        "compared": compared,
        "identical": identical,
        "identical_pct": 100.0 * identical / compared if compared else 0.0,
        "max_abs_diff": max_diff,
        "unmatched": unmatched[:5],
        "same_order": order_matches,
    }
