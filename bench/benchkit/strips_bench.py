"""Large strip-organised sources (`run.py strips`): tiffshard against the bare full-decode loop.

Two corpora of 2048x2048 8-bit gray, 8 rows per strip: uncompressed, and Deflate. Each round runs,
warm, the bare loop (bench/bare/bare_loop.cpp: every strip through TIFFReadEncodedStrip, then
cv::resize, N threads), `tiffshard convert` (and the `--tiffshard-before` build, and the Python
baseline unless --no-baseline), at 256x256 linear. Then one untimed run of tiffshard and of the
bare loop under `strace -c -f` counts their system calls (preads per file).
"""

from __future__ import annotations

import dataclasses
import os
import shutil

from . import convert_bench, corpus, syscalls
from .convert_bench import Settings, SizeResult

TARGETS = {"raw": ("at least 1.5x the bare loop", 1.5), "deflate": ("no slower than the bare loop", 1.0),
           "lzw": ("no slower than the bare loop", 1.0)}


@dataclasses.dataclass
class StripResult:
    """The timed rounds on one strip corpus, and the system calls of one run of each tool."""

    layout: str
    result: SizeResult
    syscalls: dict[str, dict[str, int]]  # tool -> syscall -> calls
    syscall_errors: dict[str, str]

    def ratio(self) -> float | None:
        a, b = self.result.throughput("tiffshard"), self.result.throughput("bare")
        return a / b if a and b else None

    def target(self) -> tuple[str, float]:
        return TARGETS[self.layout]


def bench_layout(settings: Settings, layout: str, count: int, side: int, rows_per_strip: int, log,
                 trace: bool = True) -> StripResult:
    src = corpus.ensure_strips(layout, count, side, rows_per_strip)
    name = corpus.strip_corpus_name(layout, count, side, rows_per_strip)
    result = convert_bench.bench_corpus(settings, src, f"{side}-{layout}{rows_per_strip}", log, name=name)
    counts: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    if trace and syscalls.available():
        for tool in [t for t in settings.tools if t in ("tiffshard", "tiffshard-before", "bare")]:
            out = os.path.join(settings.runs_dir, f"strace-{tool}")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out if tool == "bare" else settings.runs_dir, exist_ok=True)
            code, calls, stderr = syscalls.count(convert_bench.command(settings, tool, src, out),
                                                 os.path.join(settings.runs_dir, f"strace-{tool}.txt"))
            counts[tool] = calls
            if code != 0:
                errors[tool] = f"exit {code}: {stderr.strip()}"
            log(f"strace -c -f {tool} on {name}: {calls.get('pread64', 0)} pread64, {calls.get('read', 0)} read, "
                f"{calls.get('mmap', 0)} mmap, {calls.get('total', 0)} calls in all")
            shutil.rmtree(out, ignore_errors=True)
    elif trace:
        errors["strace"] = "strace is not installed (apt-get install strace)"
    return StripResult(layout, result, counts, errors)


def run(settings: Settings, layouts: list[str], count: int, side: int, rows_per_strip: int, log) -> list[StripResult]:
    return [bench_layout(settings, layout, count, side, rows_per_strip, log) for layout in layouts]


def settings_for(settings: Settings, width: int, height: int, baseline: bool) -> Settings:
    """The strip benchmark's tools at its own output size."""
    tools = (["baseline"] if baseline else []) + ["bare", "tiffshard"] + (
        ["tiffshard-before"] if settings.binary_before else [])
    return dataclasses.replace(settings, width=width, height=height, tools=tuple(tools))
