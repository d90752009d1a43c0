#!/usr/bin/env python3
"""Runs the tiffshard fault-injection suite: every `test_*` function of every `Tests/faults/test_*.py`.

    python3 Tests/faults/run.py [--binary PATH] [--quick] [-k TEXT] [--seed N] [--keep] [-v]
    python3 Tests/faults/run.py --soak 30m     # the crash-recovery loop for 30 minutes, fresh files each round

Each case prints what it injected and what it verified; the last line is `N passed, M failed`, and the
exit status is non-zero when a case failed (or none ran). `--quick` is the CI size (a few minutes in
all); without it the cases run larger. A case is either a function `test_<name>(ctx)` taking a
`faultkit.Context` (see faultkit.py) or a function `case_<name>()` without arguments (it finds the
binary in $TIFFSHARD_BINARY, and may look at $FAULTS_QUICK / $FAULTS_KEEP, which the runner sets);
an exception class named `Skip` marks a case skipped. `--soak` runs the modules' `soak_<name>(ctx)`
functions instead.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import faultkit as fk  # noqa: E402


def parse_duration(text: str) -> float:
    """`90`, `90s`, `30m`, `2h` -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (e.g. 90s, 30m, 2h)")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def collect(prefixes: tuple[str, ...], modules: list[str] | None = None) -> list[tuple[str, object]]:
    """(module::function, function) for every function named with one of `prefixes`, modules sorted,
    functions in source order."""
    cases = []
    for path in sorted(HERE.glob("test_*.py")):
        if modules and not any(m in path.stem for m in modules):
            continue
        module = importlib.import_module(path.stem)
        functions = [f for name, f in vars(module).items()
                     if name.startswith(prefixes) and inspect.isfunction(f) and f.__module__ == module.__name__]
        functions.sort(key=lambda f: f.__code__.co_firstlineno)
        cases += [(f"{path.stem}::{f.__name__}", f) for f in functions]
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(fk.DEFAULT_BINARY), help="tiffshard binary (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="CI size")
    parser.add_argument("--soak", type=parse_duration, metavar="DURATION", help="run the soak loops for DURATION")
    parser.add_argument("-k", dest="filters", action="append", help="only cases whose name contains TEXT")
    parser.add_argument("--module", action="append", help="only modules whose name contains TEXT")
    parser.add_argument("--seed", type=int, help="random seed (printed, so a failure can be replayed)")
    parser.add_argument("--keep", action="store_true", help="keep scratch directories")
    parser.add_argument("--scratch", help="parent of the scratch directories (default: $TMPDIR or /tmp)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    binary = Path(args.binary)
    if not binary.is_absolute():
        binary = fk.REPO_ROOT / binary
    if not os.access(binary, os.X_OK):
        print(f"tiffshard binary not found: {binary} (build it with `swift build`)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    # Cases for the children of this runner that read the environment (`case_*()` modules).
    os.environ["TIFFSHARD_BINARY"] = str(binary)
    if args.keep:
        os.environ["FAULTS_KEEP"] = "1"
    if args.quick:
        os.environ["FAULTS_QUICK"] = "1"
    cases = collect(("soak_",) if args.soak else ("test_", "case_"), args.module)
    if args.filters:
        cases = [(n, f) for n, f in cases if any(t in n for t in args.filters)]
    seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
    print(f"fault-injection suite: {len(cases)} cases, binary {binary}, seed {seed}"
          f"{', quick' if args.quick else ''}{f', soak {args.soak:.0f} s' if args.soak else ''}", flush=True)
    passed = failed = skipped = 0
    numbers: dict[str, object] = {}
    started = time.monotonic()
    for i, (name, function) in enumerate(cases):
        ctx = fk.Context(binary=binary, quick=args.quick, seed=seed + i, verbose=args.verbose, keep=args.keep,
                         scratch_root=args.scratch, soak_seconds=args.soak)
        print(f"\n== {name}", flush=True)
        t0 = time.monotonic()
        ok = skip = False
        try:
            if name.split("::")[1].startswith("case_"):
                function()  # the `case_*()` convention: no arguments, reads TIFFSHARD_BINARY
            else:
                function(ctx)
            stray = fk.run_processes()
            fk.check(not stray, f"processes left running after the case: {stray}")
            ok = True
        except Exception as error:  # noqa: BLE001
            if type(error).__name__ == "Skip":
                skip = True
                print(f"    skipped:  {error}", flush=True)
            else:
                print(f"    FAILED:   {type(error).__name__}: {error}", flush=True)
                if not isinstance(error, fk.CaseFailure) or args.verbose:
                    traceback.print_exc(file=sys.stdout)
        finally:
            ctx.cleanup(ok or skip)
        for key, value in ctx.numbers.items():
            numbers[f"{name.split('::')[1]}.{key}"] = value
        verdict = "PASS" if ok else "SKIP" if skip else "FAIL"
        print(f"   {verdict} {name} ({time.monotonic() - t0:.1f} s)", flush=True)
        passed += ok
        skipped += skip
        failed += not ok and not skip
    if numbers:
        print("\nnumbers:")
        for key, value in numbers.items():
            print(f"  {key} = {value}")
    print(f"\nfault-injection suite finished in {time.monotonic() - started:.1f} s (seed {seed})")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
