#!/usr/bin/env python3
"""The many-machines suite: partitioned convert restarted after kills, a real Slurm job array, a fleet of
daemons publishing into one folder, and the shipped Slurm/Kubernetes examples.

    python3 Tests/partitions/run.py --binary .build/debug/tiffshard [--only slurm]
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(REPO, ".build", "debug", "tiffshard"))
    parser.add_argument("--only", action="append", help="run only these tests (examples, restart, slurm, fleet)")
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    import check_examples, test_fleet, test_restart, test_slurm  # noqa: E401 (after sys.path)
    tests = [("examples", check_examples.run), ("restart", test_restart.run), ("slurm", test_slurm.run),
             ("fleet", test_fleet.run)]
    failures = 0
    for name, test in tests:
        if args.only and name not in args.only:
            continue
        work = tempfile.mkdtemp(prefix=f"tiffshard-{name}-")
        started = time.monotonic()
        try:
            stats = test(binary, work, REPO)
            print(f"ok   {name} ({time.monotonic() - started:.1f} s) {stats or ''}", flush=True)
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        except Exception:
            failures += 1
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s), work directory kept: {work}", flush=True)
            traceback.print_exc()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
