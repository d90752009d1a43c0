"""Markdown for the modes of issue 11: cold cache, strip corpora with the bare loop, start-up."""

from __future__ import annotations

import statistics

from .cold_bench import READS, TARGET, ColdResult
from .convert_bench import TOOL_NAMES
from .report import _fmt, _ratio
from .strips_bench import StripResult
from .syscalls import INTERESTING


def _mib_s(result: ColdResult, tool: str, state: str) -> float | None:
    runs = result.size.ok(f"{tool}@{state}")
    return statistics.median(result.size.corpus_mib / m.wall_s for m in runs) if runs else None


def cold_tables(result: ColdResult) -> list[str]:
    size = result.size
    method = {"drop-caches": "`sync; echo 3 > /proc/sys/vm/drop_caches` (the whole machine's page cache)",
              "fadvise": "`posix_fadvise(POSIX_FADV_DONTNEED)` on every corpus file (programs stay cached)"}
    residual = max(result.residual, default=0.0)
    lines = [f"Eviction before each cold run: {method[result.method]}; corpus pages still resident right after "
             f"(mincore): at most {100 * residual:.2f} %.", "",
             "| tool | cache | img/s (median) | MiB/s | wall s | CPU ms/image | peak PSS MiB | cores used | background cores |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in size.runs:
        tool, state = key.split("@")
        lines.append(f"| {TOOL_NAMES[tool]} | {state} | {_fmt(size.throughput(key))} | {_fmt(_mib_s(result, tool, state))} | "
                     f"{_fmt(size.wall(key), 2)} | {_fmt(None if tool in READS else size.cpu_ms_per_image(key), 2)} | "
                     f"{_fmt(None if tool in READS else size.peak_pss(key))} | {_fmt(size.cores(key), 2)} | "
                     f"{_fmt(size.background(key), 2)} |")
    lines += ["", "Read rates are files read per second (img/s-equivalent) and MiB/s of the same files.", ""]
    lines += ["| tool | cold / warm | cold / parallel read | cold / min(warm, parallel read) | target |",
              "| --- | ---: | ---: | ---: | --- |"]
    read = result.throughput("read-parallel", "cold")
    for tool in [k.split("@")[0] for k in size.runs if k.endswith("@cold") and not k.startswith("read-")]:
        ratio, _ = result.ratio(tool)
        cold, warm = result.throughput(tool, "cold"), result.throughput(tool, "warm")
        verdict = "" if tool != "tiffshard" else (
            "n/a" if ratio is None else f"≥ {TARGET} : {'met' if ratio >= TARGET else 'NOT met'}")
        lines.append(f"| {TOOL_NAMES[tool]} | {_ratio(cold, warm)} | {_ratio(cold, read)} | "
                     f"{'n/a' if ratio is None else f'{ratio:.2f}'} | {verdict} |")
    ratio, bound = result.ratio("tiffshard")
    if ratio is not None:
        lines += ["", f"**Cold-cache ratio: tiffshard convert cold = {result.throughput('tiffshard', 'cold'):,.1f} img/s "
                      f"= {ratio:.2f} × min(warm {result.throughput('tiffshard', 'warm'):,.1f}, parallel read "
                      f"{read:,.1f}) = {ratio:.2f} × {bound:,.1f} img/s (target ≥ {TARGET}).**"]
    if size.failures:
        lines += ["", "Failures:", "", *[f"- {f}" for f in size.failures]]
    lines += ["", f"Corpus: {size.title}, {size.count:,} images, {size.corpus_mib:,.0f} MiB.", ""]
    return lines


def strip_tables(results: list[StripResult]) -> list[str]:
    lines = ["| corpus | tiffshard img/s | bare loop img/s | tiffshard / bare | target | met | "
             "CPU ms/image bare / tiffshard (steadier on a busy machine) |",
             "| --- | ---: | ---: | ---: | --- | --- | ---: |"]
    for s in results:
        ratio = s.ratio()
        text, bound = s.target()
        lines.append(f"| {s.result.title} | {_fmt(s.result.throughput('tiffshard'))} | {_fmt(s.result.throughput('bare'))} | "
                     f"{'n/a' if ratio is None else f'{ratio:.2f}x'} | {text} | "
                     f"{'n/a' if ratio is None else ('yes' if ratio >= bound else 'NO')} | "
                     f"{_ratio(s.result.cpu_ms_per_image('bare'), s.result.cpu_ms_per_image('tiffshard'))} |")
    lines.append("")
    traced = [s for s in results if s.syscalls]
    if traced:
        columns = [c for c in INTERESTING if any(c in calls for s in traced for calls in s.syscalls.values())]
        lines += ["System calls of one run (`strace -c -f`, every process and thread; untimed):", "",
                  "| corpus | tool | " + " | ".join(columns) + " | all | pread64 per file | all per file |",
                  "| --- | --- | " + " | ".join("---:" for _ in columns) + " | ---: | ---: | ---: |"]
        for s in traced:
            for tool, calls in s.syscalls.items():
                n = s.result.count
                lines.append(f"| {s.result.title} | {tool} | " + " | ".join(f"{calls.get(c, 0):,}" for c in columns)
                             + f" | {calls.get('total', 0):,} | {calls.get('pread64', 0) / n:,.1f} | "
                               f"{calls.get('total', 0) / n:,.1f} |")
        lines.append("")
    for s in results:
        for tool, error in s.syscall_errors.items():
            lines.append(f"- strace {tool} on {s.result.title}: {error}")
    return lines


def startup_table(results: list[dict], target_ms: float = 300) -> list[str]:
    lines = [f"`{results[0]['command']}` (empty ingest directory), spawn → READY=1 on NOTIFY_SOCKET:", "",
             "| page cache | runs | p50 ms | p90 ms | min ms | max ms | target | exit codes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in results:
        met = "n/a" if "p50_ms" not in r else ("met" if r["p50_ms"] <= target_ms else "NOT met")
        lines.append(f"| {r['state']} | {len(r['ready_ms'])}/{r['rounds']} | {_fmt(r.get('p50_ms'), 1)} | "
                     f"{_fmt(r.get('p90_ms'), 1)} | {_fmt(r.get('min_ms'), 1)} | {_fmt(r.get('max_ms'), 1)} | "
                     f"p50 ≤ {target_ms:.0f} ms: {met} | {', '.join(str(e) for e in sorted(set(r['exits'])))} |")
    for r in results:
        lines += [f"- {r['state']}: {e.splitlines()[0]}" for e in r["errors"]]
    return lines + [""]
