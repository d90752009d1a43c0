"""The page cache: evict files from it and measure how much of them is resident.

Two ways to make a run cold, both verified with mincore(2) afterwards:

- `drop-caches` (default): `sync; echo 3 > /proc/sys/vm/drop_caches` (root; see the kernel's
  Documentation/admin-guide/sysctl/vm.rst). It drops *every* clean page of the machine: the corpus,
  and also the tools' executables and shared libraries (libopencv, Python and its cv2 wheel), so a
  cold run also pays for loading the program from disk, as after a reboot.
- `fadvise`: `posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)` on every corpus file, after `fdatasync`
  (no privilege needed). Only the corpus becomes cold; the programs stay cached.

`resident_pages` maps a file and asks mincore(2) which of its pages are in memory (what `fincore`
prints).
"""

from __future__ import annotations

import ctypes
import os
import time

METHODS = ("drop-caches", "fadvise")
DROP_CACHES = "/proc/sys/vm/drop_caches"

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
_libc.mmap.restype = ctypes.c_void_p
_libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
_libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
_PROT_READ, _MAP_SHARED, _MAP_FAILED = 1, 1, ctypes.c_void_p(-1).value
_PAGE = os.sysconf("SC_PAGE_SIZE")


class EvictionFailed(RuntimeError):
    """The corpus could not be pushed out of the page cache (the message says why)."""


def resident_pages(path: str) -> tuple[int, int]:
    """(resident pages, total pages) of `path`: mincore(2) over a read-only shared mapping.
    Mapping a file does not read it, so the measurement does not warm what it measures."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, 0
        pages = (size + _PAGE - 1) // _PAGE
        address = _libc.mmap(None, size, _PROT_READ, _MAP_SHARED, fd, 0)
        if address == _MAP_FAILED:
            raise OSError(ctypes.get_errno(), f"mmap {path}")
        try:
            vector = (ctypes.c_ubyte * pages)()
            if _libc.mincore(address, size, vector) != 0:
                raise OSError(ctypes.get_errno(), f"mincore {path}")
            return sum(v & 1 for v in bytes(vector)), pages
        finally:
            _libc.munmap(address, size)
    finally:
        os.close(fd)


def resident_fraction(paths: list[str]) -> float:
    """Resident pages over all pages of `paths` (0.0 = fully cold, 1.0 = fully cached)."""
    resident = total = 0
    for path in paths:
        r, t = resident_pages(path)
        resident += r
        total += t
    return resident / total if total else 0.0


def drop_caches() -> None:
    """`sync; echo 3 > /proc/sys/vm/drop_caches`: page cache, dentries and inodes, machine-wide."""
    os.sync()  # drop_caches only drops clean pages
    try:
        with open(DROP_CACHES, "w", encoding="ascii") as handle:
            handle.write("3\n")
    except OSError as error:
        raise EvictionFailed(f"cannot write {DROP_CACHES}: {error} (needs root, and a writable /proc/sys; "
                             f"try --evict fadvise)") from error


def fadvise_dontneed(paths: list[str]) -> None:
    """`posix_fadvise(POSIX_FADV_DONTNEED)` on every file (after `fdatasync`, so no page is dirty)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def evict(paths: list[str], method: str = "drop-caches", tolerance: float = 0.01) -> float:
    """Push `paths` out of the page cache with `method` and check it with mincore; returns the
    resident fraction left (at most `tolerance`, else EvictionFailed)."""
    if method == "drop-caches":
        drop_caches()
    elif method == "fadvise":
        fadvise_dontneed(paths)
    else:
        raise ValueError(f"unknown eviction method {method!r} (one of {', '.join(METHODS)})")
    left = resident_fraction(paths)
    if left > tolerance:
        # A page under writeback or mapped by a running process survives a first pass: retry once.
        time.sleep(0.2)
        if method == "drop-caches":
            drop_caches()
        else:
            fadvise_dontneed(paths)
        left = resident_fraction(paths)
    if left > tolerance:
        raise EvictionFailed(f"{method}: {100 * left:.1f} % of the corpus's pages are still resident "
                             f"(mincore), more than {100 * tolerance:.1f} %")
    return left


def warm(paths: list[str]) -> int:
    """Read every file once, so it is in the page cache; returns the bytes read."""
    total = 0
    for path in paths:
        with open(path, "rb", buffering=0) as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
    return total
