"""Step-by-step reporting for the systemd scenario scripts: each check prints what it did and
what it verified, failures do not stop later independent steps, and the run ends with the line
`N passed, M failed` and a matching exit status."""

from __future__ import annotations

import sys
import traceback


class Report:
    """Counts checks; `step` runs one, `check` records one condition inside a step."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        """Record one verified condition."""
        if ok:
            self.passed += 1
            print(f"  ok    {what}", flush=True)
        else:
            self.failed += 1
            print(f"  FAIL  {what}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def step(self, title: str, body) -> bool:
        """Run body(); an exception counts as one failure of the step. Returns success."""
        print(f"== {title}", flush=True)
        before = self.failed
        try:
            body()
        except Exception as e:  # noqa: BLE001 - a failing step is reported, not fatal
            self.failed += 1
            print(f"  FAIL  {title}: {type(e).__name__}: {e}", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc(limit=3, file=sys.stdout)
        return self.failed == before

    def finish(self) -> int:
        """Print the summary line; the exit status for the script."""
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


def skip(reason: str) -> None:
    """Exit 0 with a clear SKIP line (the environment cannot run these tests)."""
    print(f"SKIP: {reason}", flush=True)
    sys.exit(0)
