"""Cold page cache (`run.py cold`): every tool with the corpus evicted before its run, next to the
same tool warm, and the disk's own read rate for the same files, all in the same rounds.

Per round, in an order that reverses from round to round, each variant runs once:
`tiffshard convert` cold and warm, the Python baseline cold and warm (and the `--tiffshard-before`
build, cold and warm, if given), and reading the files cold with 8 `cat`s in parallel
(`xargs -P8 -n16 cat`) and with one `cat`. Before a cold run the cache is emptied with
`cache.evict` (drop_caches or fadvise) and mincore(2) checks that the corpus is out; before a
warm run every file is read once.

The target of issue 11: cold convert throughput >= 0.8 x min(warm convert throughput, parallel
read rate), the read rate counted in images per second (files read per second).
"""

from __future__ import annotations

import dataclasses
import os

from . import cache, convert_bench, corpus
from .convert_bench import Settings, SizeResult

TARGET = 0.8
READS = ("read-parallel", "read-single")


@dataclasses.dataclass
class ColdResult:
    """Rounds of every (tool, cache state) on one corpus. `runs` keys are 'tool@cold' / 'tool@warm'."""

    size: SizeResult
    method: str
    residual: list[float]  # resident fraction of the corpus right after each eviction (mincore)

    def throughput(self, tool: str, state: str) -> float | None:
        return self.size.throughput(f"{tool}@{state}")

    def ratio(self, tool: str = "tiffshard") -> tuple[float | None, float | None]:
        """(cold / min(warm, parallel read), the min's value)."""
        cold, warm, read = (self.throughput(tool, "cold"), self.throughput(tool, "warm"),
                            self.throughput("read-parallel", "cold"))
        if not cold or not warm or not read:
            return None, None
        bound = min(warm, read)
        return cold / bound, bound


def variants(settings: Settings) -> list[tuple[str, str]]:
    tools = [t for t in settings.tools if t not in READS]
    return [(t, s) for t in tools for s in ("cold", "warm")] + [(r, "cold") for r in READS]


def bench(settings: Settings, src: str, label: str, method: str, log, name: str = "") -> ColdResult:
    files = corpus.files(src)
    count = len(files)
    mib = sum(os.path.getsize(p) for p in files) / 2**20
    keys = [f"{t}@{s}" for t, s in variants(settings)]
    size = SizeResult(count=count, corpus_mib=mib, name=name, runs={k: [] for k in keys})
    residual: list[float] = []
    for round_index in range(settings.rounds):
        order = variants(settings)
        if round_index % 2:
            order.reverse()
        for tool, state in order:
            out = os.path.join(settings.runs_dir, f"{tool}-{state}-{label}")
            if state == "cold":
                residual.append(cache.evict(files, method))
            else:
                corpus.warm(src)
            m, problem = convert_bench.run_tool(settings, tool, src, out, count)
            size.runs[f"{tool}@{state}"].append(m)
            if problem:
                size.failures.append(f"round {round_index + 1}, {state}: {problem}")
            log(convert_bench.log_line(label, round_index, settings.rounds, f"{tool}@{state}", count, m,
                                       problem is not None))
    return ColdResult(size, method, residual)


def settings_for(settings: Settings) -> Settings:
    tools = ["baseline", "tiffshard"] + (["tiffshard-before"] if settings.binary_before else []) + list(READS)
    if settings.binary is None:
        tools.remove("tiffshard")
    return dataclasses.replace(settings, tools=tuple(tools))
