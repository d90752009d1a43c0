"""One-shot conversion benchmark: the Python baseline against `tiffshard convert`."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
from dataclasses import dataclass, field

from . import bare, corpus, tiffshard
from .measure import Measurement, run_measured

BASELINE = os.path.join(corpus.BENCH, "baseline.py")
TOOL_NAMES = {
    "baseline": "Python baseline (Pool + shared memory + cv2)",
    "baseline-cv1": "Python baseline, cv2.setNumThreads(1) in workers",
    "tiffshard": "tiffshard convert",
    "tiffshard-before": "tiffshard convert, before (`--tiffshard-before`)",
    "bare": "bare C++ loop (TIFFReadEncodedStrip + cv::resize, N threads)",
    "read-parallel": "read the files: `xargs -P8 cat`",
    "read-single": "read the files: one `cat`",
}
TIFFSHARD_TOOLS = ("tiffshard", "tiffshard-before")


@dataclass
class Settings:
    """What every run of the benchmark shares."""

    binary: str | None
    binary_before: str | None = None  # --tiffshard-before: the build to compare with
    bare: str | None = None  # the compiled bare loop (bench/bare/bare_loop.cpp)
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
    name: str = ""  # what the corpus is, for the report (default: its size)
    runs: dict[str, list[Measurement]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    equalities: dict[str, dict] = field(default_factory=dict)  # reference tool -> comparison of the rows

    @property
    def equality(self) -> dict | None:
        """tiffshard's rows against the first reference it was compared with."""
        return next(iter(self.equalities.values()), None)

    @property
    def title(self) -> str:
        """The first column of the report: the corpus's name, or its size."""
        return self.name or f"{self.count:,}"

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
    if tool in TIFFSHARD_TOOLS:
        binary = settings.binary if tool == "tiffshard" else settings.binary_before
        return tiffshard.convert_command(binary, src, out, settings.width, settings.height, settings.workers)
    if tool == "bare":
        return bare.command(settings.bare, src, settings.workers, settings.width, settings.height,
                            os.path.join(out, "bare.npy"))
    if tool.startswith("read-"):
        return read_command(src, parallel=tool == "read-parallel")
    extra = ["--cv-threads", "1"] if tool == "baseline-cv1" else []
    return [sys.executable, BASELINE, src, out, *size, "--workers", str(settings.workers), *extra]


def read_command(src: str, parallel: bool) -> list[str]:
    """Read every *.tif of `src` into /dev/null: 8 `cat`s at a time (`xargs -P8 -n16`), or one."""
    fan_out = "-P8 -n16" if parallel else ""
    # `cd` first: `find .` keeps the names short (xargs -n counts names, the command line has a limit).
    return ["sh", "-c", f'cd "$1" && find . -maxdepth 1 -name "*.tif" -print0 | sort -z | xargs -0 {fan_out} cat >/dev/null',
            "read", src]


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
    if tool in TIFFSHARD_TOOLS:
        summary = tiffshard.parse_summary(m.last_stderr_line())
        m.extra["summary"] = summary
        if summary is None:
            return f"{tool}: unexpected last stderr line {m.last_stderr_line()!r}"
        if summary["images"] + summary["rejected"] != count:
            return f"{tool}: {summary['images']} converted + {summary['rejected']} rejected != {count}"
    if tool == "bare" and not m.last_stderr_line().endswith("failed 0"):
        return f"bare: {m.last_stderr_line()!r}"
    return None


def run_tool(settings: Settings, tool: str, src: str, out: str, count: int) -> tuple[Measurement, str | None]:
    """One measured run of `tool` on `src` into a fresh `out`; the measurement and a failure message."""
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out if tool == "bare" else os.path.dirname(out), exist_ok=True)
    m = run_measured(command(settings, tool, src, out), settings.interval)
    return m, _check(tool, count, m)


def log_line(label: str, round_index: int, rounds: int, tool: str, count: int, m: Measurement,
             failed: bool) -> str:
    return (f"{label:>5} round {round_index + 1}/{rounds} {tool:<16} "
            f"{count / m.wall_s:8.1f} img/s  wall {m.wall_s:6.2f} s  cpu {m.cpu_s:6.2f} s  "
            f"pss {m.peak_pss_mib:7.1f} MiB  rss {m.peak_rss_mib:7.1f} MiB  "
            f"background {m.background_cores:4.2f} cores" + ("  FAILED" if failed else ""))


def bench_size(settings: Settings, count: int, log) -> SizeResult:
    """All rounds on the mixed corpus of `count` images, alternating the tools' order."""
    return bench_corpus(settings, corpus.ensure(count), corpus.label(count), log)


def bench_corpus(settings: Settings, src: str, label: str, log, name: str = "") -> SizeResult:
    """All rounds of every tool on the corpus in `src` (warm page cache), alternating the order.
    The rows of the last round are compared: tiffshard's with the baseline's (or the bare loop's)."""
    files = corpus.files(src)
    count = len(files)
    mib = sum(os.path.getsize(p) for p in files) / 2**20
    result = SizeResult(count=count, corpus_mib=mib, name=name, runs={tool: [] for tool in settings.tools})
    outs = {tool: os.path.join(settings.runs_dir, f"{tool}-{label}") for tool in settings.tools}
    for round_index in range(settings.rounds):
        corpus.warm(src)
        order = settings.tools if round_index % 2 == 0 else tuple(reversed(settings.tools))
        for tool in order:
            m, problem = run_tool(settings, tool, src, outs[tool], count)
            result.runs[tool].append(m)
            if problem:
                result.failures.append(f"round {round_index + 1}: {problem}")
            log(log_line(label, round_index, settings.rounds, tool, count, m, problem is not None))
    for reference in [t for t in ("baseline", "bare") if t in settings.tools]:
        last = [result.runs[tool][-1] for tool in ("tiffshard", reference) if result.runs.get(tool)]
        if len(last) == 2 and all(m.returncode == 0 for m in last):
            sources = [os.path.relpath(p, src) for p in files]
            npy = os.path.join(outs[reference], f"{reference}.npy")
            result.equalities[reference] = tiffshard.compare_with_baseline(npy, sources, outs["tiffshard"])
    return result
