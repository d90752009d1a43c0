"""The bare full-decode loop (bench/bare/bare_loop.cpp), compiled on demand with g++.

The binary goes to bench/results/bin/ (git-ignored) and is rebuilt when the source is newer.
It links Debian's libtiff and OpenCV core/imgproc, the libraries tiffshard's kernel uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from . import corpus

SOURCE = os.path.join(corpus.BENCH, "bare", "bare_loop.cpp")
OPENCV_INCLUDE = "/usr/include/opencv4"
LIBRARIES = ["-ltiff", "-lopencv_imgproc", "-lopencv_core", "-pthread"]


class BuildFailed(RuntimeError):
    """g++ is missing or the bare loop does not compile (with the compiler's output)."""


def compile_command(source: str, binary: str) -> list[str]:
    # Debian's OpenCV headers use the int64/uint64 typedefs libtiff >= 4.5 marks deprecated.
    return ["g++", "-O2", "-std=c++17", "-Wall", "-Wno-deprecated-declarations", f"-I{OPENCV_INCLUDE}",
            source, "-o", binary, *LIBRARIES]


def build(directory: str = os.path.join(corpus.BENCH, "results", "bin"), source: str = SOURCE) -> str:
    """The path of the compiled bare loop, compiling it if missing or older than its source."""
    binary = os.path.join(directory, "bare_loop")
    if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(source):
        return binary
    if shutil.which("g++") is None:
        raise BuildFailed("g++ is not on PATH (apt-get install g++ libtiff-dev libopencv-dev)")
    os.makedirs(directory, exist_ok=True)
    temporary = binary + ".part"
    result = subprocess.run(compile_command(source, temporary), capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildFailed(f"{' '.join(compile_command(source, binary))} failed:\n{result.stderr[-3000:]}")
    os.replace(temporary, binary)
    return binary


def command(binary: str, src: str, threads: int, width: int, height: int, out: str | None = None) -> list[str]:
    return [binary, "--threads", str(threads), "--width", str(width), "--height", str(height),
            *(["--out", out] if out else []), src]
