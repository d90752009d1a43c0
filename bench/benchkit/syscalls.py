"""System calls of one run, counted by `strace -c -f` (every process and thread of the command).

strace slows the traced program down, so these runs are never timed; only the counts matter
(e.g. preads per file: one per strip, or one per file).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

# "  45.00    0.001234          12       100        3 pread64" (the errors column may be empty)
_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+(?:\d+\s+)?(?P<calls>\d+)\s+(?:(?P<errors>\d+)\s+)?(?P<name>\w+)\s*$")
# Calls worth a column in the report: reading the file, mapping it, opening it.
INTERESTING = ("pread64", "read", "preadv", "preadv2", "openat", "mmap", "munmap", "lseek", "fstat", "newfstatat",
               "statx", "madvise", "fadvise64", "readahead", "io_uring_enter", "futex", "write", "pwrite64")


def available() -> bool:
    return shutil.which("strace") is not None


def parse(text: str) -> dict[str, int]:
    """Calls per system call from `strace -c` output, with 'total' (summed here: strace's own total
    line has an empty usecs/call column in some versions, which makes its columns ambiguous)."""
    counts: dict[str, int] = {}
    for line in text.splitlines():
        match = _ROW.match(line)
        if match and match.group("name") != "total":
            counts[match.group("name")] = counts.get(match.group("name"), 0) + int(match.group("calls"))
    counts["total"] = sum(counts.values())
    return counts


def count(command: list[str], output: str, cwd: str | None = None) -> tuple[int, dict[str, int], str]:
    """Run `command` under `strace -c -f -o output`: (exit code, calls per syscall, stderr tail)."""
    result = subprocess.run(["strace", "-c", "-f", "-o", output, *command], capture_output=True, text=True,
                            cwd=cwd, stdin=subprocess.DEVNULL)
    text = open(output, encoding="utf-8", errors="replace").read() if os.path.exists(output) else ""
    return result.returncode, parse(text), result.stderr[-800:]
