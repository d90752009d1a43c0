"""One-shot conversion benchmark: the Python baseline against `tiffshard convert`."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
from dataclasses import dataclass, field

from . import corpus, tiffshard
from .measure import Measurement, run_measured

BASELINE = os.path.join(corpus.BENCH, "baseline.py")
TOOL_NAMES = {
    "baseline": "Python baseline (Pool + shared memory + cv2)",
    "baseline-cv1": "Python baseline, cv2.setNumThreads(1) in workers",
    "tiffshard": "tiffshard convert",
}


@dataclass
class Settings:
    """What every run of the benchmark shares."""

    binary: str | None
    width: int = 128
    height: int = 128
    workers: int = 2
    rounds: int = 3
    interval: float = 0.02
    tools: tuple[str, ...] = ("baseline", "baseline-cv1", "tiffshard")
    runs_dir: str = os.path.join(corpus.BENCH, "results", "runs")


@dataclass
class SizeResult:
    """All rounds of all tools on one corpus."""

    count: int
    corpus_mib: float
    runs: dict[str, list[Measurement]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    equality: dict | None = None

    def ok(self, tool: str) -> list[Measurement]:
        return [m for m in self.runs.get(tool, []) if m.returncode == 0]

    def throughput(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(self.count / m.wall_s for m in runs) if runs else None

    def wall(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(m.wall_s for m in runs) if runs else None

    def cpu_ms_per_image(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(1000 * m.cpu_s / self.count for m in runs) if runs else None

    # Peaks are per round; like every other column, the report gives their median over the rounds
    # (a single 20 ms sample caught while a process exits can count shared pages twice).
    def peak_pss(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(m.peak_pss_mib for m in runs) if runs else None

    def peak_rss(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(m.peak_rss_mib for m in runs) if runs else None

    def cores(self, tool: str) -> float | None:
        """CPU time over wall time: how many cores the tool kept busy."""
        runs = self.ok(tool)
        return statistics.median(m.cpu_s / m.wall_s for m in runs) if runs else None

    def background(self, tool: str) -> float | None:
        runs = self.ok(tool)
        return statistics.median(m.background_cores for m in runs) if runs else None

    def processes(self, tool: str) -> int | None:
        runs = self.ok(tool)
        return max(m.peak_processes for m in runs) if runs else None


def command(settings: Settings, tool: str, src: str, out: str) -> list[str]:
    size = ["--width", str(settings.width), "--height", str(settings.height)]
    if tool == "tiffshard":
        return tiffshard.convert_command(settings.binary, src, out, settings.width, settings.height,
                                         settings.workers)
    extra = ["--cv-threads", "1"] if tool == "baseline-cv1" else []
    return [sys.executable, BASELINE, src, out, *size, "--workers", str(settings.workers), *extra]


def _check(tool: str, count: int, m: Measurement) -> str | None:
    """A failure message for a run that did not convert the whole corpus, else None."""
    if m.returncode != 0:
        return f"{tool} exited with {m.returncode}: {m.stderr.strip()[-800:]}"
    if m.killed_stragglers:
        return f"{tool}: {m.killed_stragglers} processes outlived the command and were killed"
    if tool.startswith("baseline"):
        match = re.search(r"unreadable (\d+)", m.last_stderr_line())
        if match is None or match.group(1) != "0":
            return f"{tool}: {m.last_stderr_line()!r}"
    if tool == "tiffshard":
        summary = tiffshard.parse_summary(m.last_stderr_line())
        m.extra["summary"] = summary
        if summary is None:
            return f"tiffshard: unexpected last stderr line {m.last_stderr_line()!r}"
        if summary["images"] + summary["rejected"] != count:
            return f"tiffshard: {summary['images']} converted + {summary['rejected']} rejected != {count}"
    return None


def bench_size(settings: Settings, count: int, log) -> SizeResult:
    """All rounds on the corpus of `count` images, alternating the tools' order."""
    src = corpus.ensure(count)
    mib = sum(os.path.getsize(p) for p in corpus.files(src)) / 2**20
    result = SizeResult(count=count, corpus_mib=mib, runs={tool: [] for tool in settings.tools})
    outs = {tool: os.path.join(settings.runs_dir, f"{tool}-{corpus.label(count)}") for tool in settings.tools}
    for round_index in range(settings.rounds):
        corpus.warm(src)
        order = settings.tools if round_index % 2 == 0 else tuple(reversed(settings.tools))
        for tool in order:
            shutil.rmtree(outs[tool], ignore_errors=True)
            os.makedirs(os.path.dirname(outs[tool]), exist_ok=True)
            m = run_measured(command(settings, tool, src, outs[tool]), settings.interval)
            result.runs[tool].append(m)
            problem = _check(tool, count, m)
            if problem:
                result.failures.append(f"round {round_index + 1}: {problem}")
            log(f"{corpus.label(count):>5} round {round_index + 1}/{settings.rounds} {tool:<13} "
                f"{count / m.wall_s:8.1f} img/s  wall {m.wall_s:6.2f} s  cpu {m.cpu_s:6.2f} s  "
                f"pss {m.peak_pss_mib:7.1f} MiB  rss {m.peak_rss_mib:7.1f} MiB  "
                f"background {m.background_cores:4.2f} cores"
                + ("  FAILED" if problem else ""))
    if "tiffshard" in settings.tools and "baseline" in settings.tools:
        last = [result.runs[tool][-1] for tool in ("tiffshard", "baseline") if result.runs[tool]]
        if len(last) == 2 and all(m.returncode == 0 for m in last):
            sources = [os.path.relpath(p, src) for p in corpus.files(src)]
            result.equality = tiffshard.compare_with_baseline(
                os.path.join(outs["baseline"], "baseline.npy"), sources, outs["tiffshard"])
    return result
