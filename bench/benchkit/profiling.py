"""Instruction counts of the image kernel: callgrind (and perf where it works) for bench/profile.py.

callgrind counts instructions executed (Ir): the same binary on the same files gives the same
count on a busy machine, so before/after numbers can be compared where wall time cannot.

Two ways in:
- the kernel driver (bench/profile/kernel_driver.cpp) linked against the `CImageKernel.build/*.o`
  objects of a tiffshard build: `tsk_init`, then `tsk_decode` per file, no process pool. Run with
  `--collect-atstart=no --toggle-collect=tsk_decode`, so only decoding is counted.
- the whole program: `tiffshard convert --workers 1` under `--trace-children=yes`, one callgrind
  file per process (supervisor, worker), start-up included.

Valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift's clang emits ("unhandled dwarf2
abbrev form code 0x25", then "debuginfo reader: Possibly corrupted debuginfo file"), so the
driver is linked with `--strip-debug` and the whole-program run uses a `strip --strip-debug`
copy of tiffshard: symbols stay (function names), file:line annotations go.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess

from . import corpus

DRIVER_SOURCE = os.path.join(corpus.BENCH, "profile", "kernel_driver.cpp")
BIN = os.path.join(corpus.BENCH, "results", "bin")
_LINE = re.compile(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$")


class ProfileFailed(RuntimeError):
    """A tool is missing, the driver does not link, or valgrind/perf failed (with the output)."""


def kernel_objects(build: str) -> list[str]:
    objects = sorted(glob.glob(os.path.join(build, "CImageKernel.build", "*.o")))
    if not objects:
        raise ProfileFailed(f"no {build}/CImageKernel.build/*.o: build tiffshard first "
                            f"(swift build -c release --product tiffshard)")
    return objects


def build_driver(build: str) -> str:
    """The kernel driver linked against `build`'s kernel objects (rebuilt when they change).
    The header comes from the same checkout: BUILD/../../Sources/CImageKernel/include."""
    objects = kernel_objects(build)
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(build)))
    include = os.path.join(checkout, "Sources", "CImageKernel", "include")
    tag = hashlib.sha1(os.path.abspath(build).encode()).hexdigest()[:10]
    binary = os.path.join(BIN, f"kernel_driver-{tag}")
    newest = max(os.path.getmtime(p) for p in objects + [DRIVER_SOURCE])
    if os.path.exists(binary) and os.path.getmtime(binary) >= newest:
        return binary
    os.makedirs(BIN, exist_ok=True)
    # _Nonnull/_Nullable are clang's; g++ does not know them. --strip-debug: see the module doc.
    command = ["g++", "-O2", "-std=c++17", "-D_Nonnull=", "-D_Nullable=", f"-I{include}", DRIVER_SOURCE, *objects,
               "-o", binary + ".part", "-Wl,--strip-debug", "-ltiff", "-lopencv_imgproc", "-lopencv_core", "-ldl",
               "-pthread"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProfileFailed(f"linking the kernel driver failed:\n{' '.join(command)}\n{result.stderr[-3000:]}")
    os.replace(binary + ".part", binary)
    return binary


def stripped_copy(binary: str) -> str:
    """A `strip --strip-debug` copy of `binary` in bench/results/bin (valgrind 3.19 and DWARF 5)."""
    os.makedirs(BIN, exist_ok=True)
    tag = hashlib.sha1(os.path.abspath(binary).encode()).hexdigest()[:10]
    copy = os.path.join(BIN, f"tiffshard-nodebug-{tag}")
    subprocess.run(["strip", "--strip-debug", "-o", copy, binary], check=True)
    return copy


def parse_annotate(text: str) -> tuple[int, list[tuple[int, float, str]]]:
    """(PROGRAM TOTALS, [(Ir, percent, function)]) from `callgrind_annotate` output."""
    total = 0
    rows: list[tuple[int, float, str]] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        ir, percent, name = int(match.group(1).replace(",", "")), float(match.group(2)), match.group(3).strip()
        if name == "PROGRAM TOTALS":
            total = ir
        else:
            rows.append((ir, percent, _short(name)))
    return total, rows


def _short(name: str, width: int = 110) -> str:
    """'???:cv::resize(...) [/usr/lib/.../libopencv_imgproc.so.4.6.0]' -> 'cv::resize(...) [libopencv_imgproc]'."""
    name = name.removeprefix("???:")
    match = re.match(r"^(.*) \[(.*)\]$", name)
    if match:
        library = os.path.basename(match.group(2)).split(".so")[0]
        name = f"{match.group(1)} [{library}]"
    return name if len(name) <= width else name[: width - 1] + "…"


def annotate(out: str, inclusive: bool = False) -> tuple[int, list[tuple[int, float, str]]]:
    command = ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", out]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProfileFailed(f"{' '.join(command)}: {result.stderr[-1000:]}")
    return parse_annotate(result.stdout)


def callgrind_kernel(driver: str, files: list[str], width: int, height: int, out: str) -> dict:
    """Ir of tsk_decode over `files` (only inside tsk_decode is counted)."""
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--collect-atstart=no",
               "--toggle-collect=tsk_decode", driver, "--width", str(width), "--height", str(height), *files]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not os.path.exists(out):
        raise ProfileFailed(f"{' '.join(command[:6])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    total, self_rows = annotate(out)
    _, inclusive_rows = annotate(out, inclusive=True)
    return {"command": command, "total_ir": total, "self": self_rows, "inclusive": inclusive_rows,
            "summary": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""}


def callgrind_whole(binary: str, src: str, out_dir: str, width: int, height: int) -> dict:
    """`tiffshard convert --workers 1` under callgrind, children traced: Ir per process."""
    stripped = stripped_copy(binary)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    shards = os.path.join(out_dir, "shards")
    command = ["valgrind", "--tool=callgrind", "--trace-children=yes",
               f"--callgrind-out-file={out_dir}/callgrind.%p", stripped, "convert", src, shards,
               "--workers", "1", "--width", str(width), "--height", str(height)]
    result = subprocess.run(command, capture_output=True, text=True)
    processes = []
    for path in sorted(glob.glob(os.path.join(out_dir, "callgrind.*"))):
        header = open(path, encoding="utf-8", errors="replace").read(4096)
        cmd = re.search(r"^cmd:\s*(.*)$", header, re.M)
        total, rows = annotate(path)
        argv = (cmd.group(1) if cmd else "?").split()
        role = argv[1] if len(argv) > 1 else "?"
        processes.append({"file": path, "role": role, "total_ir": total, "self": rows})
    if result.returncode != 0:
        raise ProfileFailed(f"whole-program callgrind failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return {"command": command, "processes": processes,
            "summary": [line for line in result.stderr.splitlines() if not line.startswith("==")][-1:]}


def perf_available() -> bool:
    if shutil.which("perf") is None:
        return False
    result = subprocess.run(["perf", "stat", "-e", "task-clock", "true"], capture_output=True, text=True)
    return result.returncode == 0


def hardware_counters() -> bool:
    """Whether `perf stat -e instructions` counts (a VM often has no PMU: '<not supported>')."""
    result = subprocess.run(["perf", "stat", "-x,", "-e", "instructions", "true"], capture_output=True, text=True)
    return result.returncode == 0 and "not supported" not in result.stderr


def perf_kernel(driver: str, files: list[str], width: int, height: int, repeat: int, out: str) -> dict:
    """Sampled profile of the driver: `perf record -e cpu-clock` (software clock, works without a PMU)."""
    command = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "-o", out, "--", driver, "--width", str(width),
               "--height", str(height), "--repeat", str(repeat), *files]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProfileFailed(f"perf record failed:\n{result.stderr[-2000:]}")
    report = subprocess.run(["perf", "report", "-i", out, "--stdio", "--no-children", "--sort", "dso,symbol",
                             "--percent-limit", "0.5"], capture_output=True, text=True)
    rows = []
    for line in report.stdout.splitlines():
        match = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[\.\]\s+(.*)$", line) or re.match(
            r"^\s*([\d.]+)%\s+(\S+)\s+\[k\]\s+(.*)$", line)
        if match:
            # The symbol column is followed by perf's IPC columns ("-      -"): cut at the first wide gap.
            symbol = re.split(r"\s{2,}", match.group(3).strip())[0]
            rows.append((float(match.group(1)), match.group(2), _short(symbol)))
    samples = re.search(r"^# Samples: (\S+)", report.stdout, re.M)
    return {"command": command, "rows": rows, "samples": samples.group(1) if samples else "?",
            "hardware_counters": hardware_counters()}
