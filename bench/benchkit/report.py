"""Markdown for the results: environment, tables, notes."""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import time

from . import corpus
from .convert_bench import TOOL_NAMES, Settings, SizeResult


def _fmt(value, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _git_commit(path: str) -> str:
    try:
        result = subprocess.run(["git", "-C", path, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10)
    except OSError:
        return "?"
    return result.stdout.strip() or "?"


def environment(settings: Settings) -> list[str]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = []
    for name in ("numpy", "cv2", "tifffile", "imagecodecs"):
        try:
            versions.append(f"{name} {importlib.import_module(name).__version__}")
        except ImportError:
            versions.append(f"{name} missing")
    lines = [
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}",
        f"- Python {platform.python_version()}: {', '.join(versions)}",
    ]
    if settings.binary:
        repo = os.path.dirname(os.path.dirname(os.path.dirname(settings.binary)))
        lines.append(f"- tiffshard: `{settings.binary}` (commit {_git_commit(repo)})")
    lines.append(f"- output {settings.width}x{settings.height} uint8, --workers {settings.workers}, "
                 f"{settings.rounds} round(s), memory sampled every {settings.interval * 1000:.0f} ms")
    return lines


REFERENCES = ("baseline", "bare", "tiffshard-before")  # what tiffshard is divided by in the ratio table


def convert_tables(results: list[SizeResult], settings: Settings) -> list[str]:
    first = "corpus" if any(r.name for r in results) else "images"
    lines = [f"| {first} | tool | img/s (median) | wall s | CPU ms/image | peak PSS MiB (median) | peak ΣRSS MiB (median) | processes | cores used | background cores |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        for tool in settings.tools:
            lines.append(f"| {r.title} | {TOOL_NAMES[tool]} | {_fmt(r.throughput(tool))} | {_fmt(r.wall(tool), 2)} | "
                         f"{_fmt(r.cpu_ms_per_image(tool), 2)} | {_fmt(r.peak_pss(tool))} | {_fmt(r.peak_rss(tool))} | "
                         f"{r.processes(tool) or 'n/a'} | {_fmt(r.cores(tool), 2)} | {_fmt(r.background(tool), 2)} |")
    lines.append("")
    references = [t for t in REFERENCES if t in settings.tools]
    if "tiffshard" in settings.tools and references:
        lines += [f"| {first} | X | throughput tiffshard / X | CPU per image X / tiffshard | peak PSS X / tiffshard |",
                  "| ---: | --- | ---: | ---: | ---: |"]
        for r in results:
            for x in references:
                lines.append(f"| {r.title} | {x} | {_ratio(r.throughput('tiffshard'), r.throughput(x))} | "
                             f"{_ratio(r.cpu_ms_per_image(x), r.cpu_ms_per_image('tiffshard'))} | "
                             f"{_ratio(r.peak_pss(x), r.peak_pss('tiffshard'))} |")
        lines.append("")
    if len(results) > 1 and not any(r.name for r in results):
        first_r, last = results[0], results[-1]
        lines += [f"Memory flatness (peak PSS, MiB) from {first_r.count:,} to {last.count:,} images:", "",
                  f"| tool | {first_r.count:,} images | {last.count:,} images | growth |", "| --- | ---: | ---: | ---: |"]
        for tool in settings.tools:
            a, b = first_r.peak_pss(tool), last.peak_pss(tool)
            growth = None if a is None or b is None else b - a
            lines.append(f"| {TOOL_NAMES[tool]} | {_fmt(a)} | {_fmt(b)} | {'n/a' if growth is None else f'{growth:+,.1f}'} |")
        lines.append("")
    for reference, what in (("baseline", "baseline.npy"), ("bare", "the bare loop's rows")):
        equal = [r for r in results if reference in r.equalities]
        if not equal:
            continue
        lines += [f"Equality of tiffshard's rows with {what} (matched by source file):", "",
                  f"| {first} | rows compared | identical rows | max abs diff | same row order | not matched |",
                  "| ---: | ---: | ---: | ---: | --- | ---: |"]
        for r in equal:
            e = r.equalities[reference]
            missing = e["baseline_rows"] - e["compared"]
            lines.append(f"| {r.title} | {e['compared']:,} | {e['identical_pct']:.2f} % | {e['max_abs_diff']} | "
                         f"{'yes' if e['same_order'] else 'no'} | {missing} |")
        lines.append("")
    failures = [f"- {r.title}, {f}" for r in results for f in r.failures]
    if failures:
        lines += ["Failures:", "", *failures, ""]
    lines.append("Corpora: " + ", ".join(f"{r.title} = {r.count:,} images, {r.corpus_mib:,.0f} MiB" for r in results) + ".")
    return lines


def _ratio(a, b) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}x"


def latency_table(result: dict) -> list[str]:
    lines = [f"`{result['command']}`", "",
             "| files | published | shards | p50 ms | p90 ms | p99 ms | max ms | start to READY=1 ms | exit |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
             f"| {result['count']} | {result['published']} | {result['shards']} | {_fmt(result.get('p50_ms'), 0)} | "
             f"{_fmt(result.get('p90_ms'), 0)} | {_fmt(result.get('p99_ms'), 0)} | {_fmt(result.get('max_ms'), 0)} | "
             f"{_fmt(1000 * result['ready_s'] if 'ready_s' in result else None, 0)} | {result['exit_code']} |", ""]
    problems = []
    if result.get("error"):
        problems.append(f"error: {result['error']}")
    if result["duplicates"] or result["unexpected"]:
        problems.append(f"{result['duplicates']} duplicate rows, unexpected sources {result['unexpected']}")
    if not result["stopping_seen"]:
        problems.append("no STOPPING=1 on SIGTERM")
    if problems:
        lines += [f"- {p}" for p in problems] + ["", "Daemon log (tail):", "```", result["log_tail"], "```", ""]
    return lines


def throughput_table(result: dict) -> list[str]:
    count = result["count"]
    lines = ["| mode | seconds (median) | img/s | peak PSS MiB | CPU s | complete rounds |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for mode, label in (("convert", "`tiffshard convert`"), ("daemon", "`tiffshard run`, pre-filled ingest")):
        runs = result["runs"][mode]
        seconds = result["median_s"][mode]
        good = [r for r in runs if r.get("complete")]
        peak = max((r["peak_pss_mib"] for r in good), default=None)
        cpu = sorted(r["cpu_s"] for r in good)[len(good) // 2] if good else None
        lines.append(f"| {label} | {_fmt(seconds, 2)} | {_fmt(count / seconds if seconds else None)} | "
                     f"{_fmt(peak)} | {_fmt(cpu, 2)} | {len(good)}/{len(runs)} |")
    if result.get("evict"):
        lines += ["", f"Cold page cache: the corpus evicted before every run with {result['evict']} "
                      f"(at most {100 * (result.get('residual_max') or 0):.2f} % of its pages resident after, by mincore)."]
    else:
        lines += ["", "Warm page cache: every corpus file read once before each run."]
    loss = result["daemon_slower_pct"]
    verdict = "n/a" if loss is None else f"{loss:+.1f} % ({'within' if loss <= 5 else 'OVER'} the 5 % target)"
    lines += ["", f"{count:,} images, --shard-size {result['shard_size']}: daemon time vs convert: {verdict}.", ""]
    for mode in ("daemon", "convert"):
        for r in result["runs"][mode]:
            if not r.get("complete"):
                lines += [f"- incomplete {mode} round: exit {r['exit_code']}, {r['rows']} rows, {r.get('error') or ''}"]
                if r.get("log_tail"):
                    lines += ["```", r["log_tail"], "```"]
    return lines
