#!/usr/bin/env python3
"""tiffshard under a real systemd 252: the shipped systemd/tiffshard.service, unchanged.

    python3 Tests/systemd/test_systemd.py --binary .build/release/tiffshard [--keep] [--verbose]

The unit runs exactly as shipped (hardening, User=tiffshard, StateDirectory, watchdog): the
harness gives PID 1 a private /etc (with a tiffshard user and /etc/tiffshard bound to a temp
dir), /var/lib (a temp dir, so the state directory is visible to this script) and
/usr/local/bin (holding a copy of --binary). The config leaves all paths at their defaults, so
this also proves that relative paths resolve against WorkingDirectory=/var/lib/tiffshard.

Scenario: start -> 20 TIFFs become shards -> reload with a new width -> SIGSTOP -> watchdog
restart, nothing lost -> a few files then stop -> partial shard flushed -> a tiffshard@cam1
instance (systemd/tiffshard@.service, also unchanged) with its own config and state dirs.
Prints every check, ends with `N passed, M failed`; exit 0 only if all passed. Exits 0 with a
SKIP line when not root or namespaces/cgroup2 are unavailable. Needs numpy and tifffile.
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SystemdHarness, Terminated, raise_on_termination, unavailable_reason  # noqa: E402
from report import Report, skip  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "tiffshard.service"
TEMPLATE = REPO / "systemd" / "tiffshard@.service"
SERVICE = "tiffshard.service"
SHARD_SIZE = 10
HEIGHT = 24
WIDTHS = (32, 48)
WATCHDOG_WAIT = 120  # WatchdogSec=20s + TimeoutAbortSec=15s + RestartSec=2s + start, generously


def config_text(width: int) -> str:
    # idle-flush/max-shard-age are long so that only full shards and shutdown flush: the
    # stop step must see its partial shard flushed by SIGTERM, not by a timer.
    return (f"width: {width}\nheight: {HEIGHT}\nworkers: 2\nshard-size: {SHARD_SIZE}\n"
            "idle-flush: 300\nmax-shard-age: 600\non-success: move\nlog-level: debug\n")


class Scenario:
    """The state shared by the steps: harness, data dirs, every file dropped so far."""

    def __init__(self, sd: SystemdHarness, conf: Path, report: Report):
        self.sd, self.conf, self.report = sd, conf, report
        self.state = sd.var_lib / "tiffshard"
        self.ingest, self.shards = self.state / "ingest", self.state / "shards"
        self.staging = sd.tmp / "staging"
        self.staging.mkdir()
        self.dropped: list[str] = []

    # -- data ---------------------------------------------------------------------------------

    def drop(self, count: int, prefix: str, into: Path | None = None) -> list[str]:
        """Write `count` TIFFs of assorted sizes, renaming each into the ingest dir whole."""
        import numpy as np
        import tifffile
        rng = np.random.default_rng(len(self.dropped))
        names = []
        for i in range(count):
            name = f"{prefix}-{i:03d}.tif"
            image = rng.integers(0, 256, size=(40 + 7 * i, 60 + 5 * i), dtype=np.uint8)
            tifffile.imwrite(self.staging / name, image)
            (self.staging / name).rename((into or self.ingest) / name)
            names.append(name)
        if into is None:
            self.dropped += names
        return names

    def manifests(self) -> dict[str, list[dict]]:
        """Published manifests: shard stem -> rows (a .jsonl counts only with its .npy)."""
        result = {}
        for jsonl in sorted(self.shards.glob("shard-*.jsonl")):
            if jsonl.with_suffix(".npy").exists():
                result[jsonl.stem] = [json.loads(l) for l in jsonl.read_text().splitlines() if l]
        return result

    def sources(self) -> Counter:
        return Counter(row["source"] for rows in self.manifests().values() for row in rows)

    def shape(self, stem: str) -> tuple:
        import numpy as np
        return np.load(self.shards / f"{stem}.npy", mmap_mode="r").shape

    def wait_sources(self, names: list[str], what: str, timeout: float = 60) -> bool:
        """Wait until every name is in some published manifest."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(n in self.sources() for n in names):
                return True
            time.sleep(0.2)
        missing = [n for n in names if n not in self.sources()]
        return self.report.check(False, what, f"{len(missing)} never published: {missing[:5]}")

    # -- steps --------------------------------------------------------------------------------

    def start(self) -> None:
        self.sd.start(SERVICE, timeout=150)
        p = self.sd.wait_for(SERVICE, lambda p: p["StatusText"] != "", "a StatusText")
        self.report.check(p["ActiveState"] == "active", f"systemctl start: ActiveState={p['ActiveState']}")
        self.report.check(p["StatusText"] != "", f"StatusText={p['StatusText']!r}")
        for d in ("ingest", "shards", "processed", "failed"):
            self.report.check((self.state / d).is_dir(), f"state dir /var/lib/tiffshard/{d} exists")

    def shards_appear(self) -> None:
        names = self.drop(20, "a")
        print(f"  dropped {len(names)} TIFFs into /var/lib/tiffshard/ingest")
        if not self.wait_sources(names, "20 files published"):
            return
        m = self.manifests()
        self.report.check(sum(len(r) for r in m.values()) == 20, f"{len(m)} shards hold 20 rows")
        for stem, rows in m.items():
            shape = self.shape(stem)
            self.report.check(shape == (len(rows), HEIGHT, WIDTHS[0]),
                              f"{stem}.npy shape {shape} == ({len(rows)}, {HEIGHT}, {WIDTHS[0]})")
        self.check_disposed(names)

    def reload(self) -> None:
        before = set(self.manifests())
        (self.conf / "tiffshard.yaml").write_text(config_text(WIDTHS[1]))
        self.sd.reload(SERVICE, timeout=60)
        p = self.sd.show(SERVICE, "ActiveState", "StatusText", "NRestarts")
        self.report.check(p["ActiveState"] == "active", f"reload: ActiveState={p['ActiveState']} "
                          "after RELOADING=1 ... READY=1")
        self.report.check(p["NRestarts"] == "0", f"reload did not restart (NRestarts={p['NRestarts']})")
        names = self.drop(SHARD_SIZE, "b")
        print(f"  width {WIDTHS[0]} -> {WIDTHS[1]} in the config, reloaded, dropped {len(names)}")
        if not self.wait_sources(names, "files dropped after reload published"):
            return
        new = [s for s in self.manifests() if s not in before]
        self.report.check(len(new) > 0, f"new shards after reload: {new}")
        for stem in new:
            shape = self.shape(stem)
            self.report.check(shape[1:] == (HEIGHT, WIDTHS[1]), f"{stem}.npy has new width: {shape}")

        # An invalid config on reload: the daemon keeps the old one and says so in STATUS.
        good = (self.conf / "tiffshard.yaml").read_text()
        (self.conf / "tiffshard.yaml").write_text(good.replace(f"width: {WIDTHS[1]}", "width: wide"))
        self.sd.reload(SERVICE, timeout=60)
        p = self.sd.show(SERVICE, "ActiveState", "StatusText", "NRestarts")
        self.report.check(p["ActiveState"] == "active" and p["NRestarts"] == "0",
                          f"reload with an invalid config: still {p['ActiveState']}, "
                          f"NRestarts={p['NRestarts']}")
        self.report.check("fail" in p["StatusText"].lower() or "invalid" in p["StatusText"].lower(),
                          f"STATUS says so: {p['StatusText']!r}")
        (self.conf / "tiffshard.yaml").write_text(good)
        self.sd.reload(SERVICE, timeout=60)

    def watchdog(self) -> None:
        first = self.drop(5, "c")
        pid = self.sd.show(SERVICE, "MainPID")["MainPID"]
        self.sd.kill(SERVICE, "SIGSTOP")
        second = self.drop(5, "d")
        print(f"  dropped 5, SIGSTOPped main pid {pid}, dropped 5 more; waiting for the watchdog")
        p = self.sd.wait_for(SERVICE, lambda p: p["NRestarts"] == "1" and p["ActiveState"] == "active"
                             and p["MainPID"] not in ("0", pid), "watchdog restart",
                             timeout=WATCHDOG_WAIT)
        self.report.check(True, f"watchdog restarted the service: MainPID {pid} -> {p['MainPID']}, "
                                f"NRestarts={p['NRestarts']}")
        events = self.sd.journal(SERVICE, match=r"[Ww]atchdog timeout|Main process exited|"
                                 r"[Kk]illing|Scheduled restart|Crash|[Bb]acktrace|recover")
        print("\n".join("  | " + line for line in events.splitlines()[-12:]))
        self.report.check("atchdog timeout" in events, "journal: systemd reports the watchdog timeout")
        if self.wait_sources(first + second, "files around the freeze published after restart"):
            self.check_exactly_once()

    def stop(self) -> None:
        before = set(self.manifests())
        names = self.drop(3, "e")
        # Nothing observable tells when the daemon has admitted a file (STATUS counts published
        # images and queued+in-flight ones, which is 0 before and after), so give inotify a
        # moment; files it had not admitted yet must still be in the ingest dir (checked below).
        time.sleep(3)
        print(f"  dropped {len(names)} (< shard-size {SHARD_SIZE}), waited 3 s, systemctl stop")
        self.sd.stop(SERVICE, timeout=120)
        p = self.sd.show(SERVICE, "ActiveState", "Result", "ExecMainStatus")
        self.report.check(p["ActiveState"] == "inactive" and p["Result"] == "success"
                          and p["ExecMainStatus"] == "0",
                          f"stop: {p['ActiveState']}, Result={p['Result']}, exit {p['ExecMainStatus']}")
        new = {stem: rows for stem, rows in self.manifests().items() if stem not in before}
        flushed = [r["source"] for rows in new.values() for r in rows]
        self.report.check(len(new) == 1 and 0 < len(flushed) < SHARD_SIZE
                          and set(flushed) <= set(names),
                          f"partial shard published on stop: {sorted(new)} with {len(flushed)}/3 "
                          f"of the files just dropped")
        self.report.check(len(flushed) == 3 or all((self.ingest / n).exists() for n in names
                                                   if n not in flushed),
                          "files not in the partial shard are still in the ingest dir")
        self.check_exactly_once(allow_pending=names)

    def instance(self) -> None:
        (self.conf / "cam1.yaml").write_text(config_text(WIDTHS[0]))
        (self.conf / "cam1.yaml").chmod(0o644)
        unit = "tiffshard@cam1.service"
        self.sd.start(unit, timeout=150)
        p = self.sd.wait_for(unit, lambda p: p["StatusText"] != "", "a StatusText")
        self.report.check(p["ActiveState"] == "active", f"{unit}: {p['ActiveState']}, "
                          f"StatusText={p['StatusText']!r}")
        state = self.state / "cam1"
        names = self.drop(SHARD_SIZE, "cam1", into=state / "ingest")
        print(f"  dropped {len(names)} TIFFs into /var/lib/tiffshard/cam1/ingest")
        deadline = time.monotonic() + 60
        published = []
        while time.monotonic() < deadline and len(published) < len(names):
            published = [json.loads(l)["source"] for f in sorted((state / "shards").glob("*.jsonl"))
                         for l in f.read_text().splitlines() if l]
            time.sleep(0.2)
        self.report.check(sorted(published) == names,
                          f"{unit}: {len(published)}/{len(names)} published in its own shards dir")
        files = sorted(f.name for f in (state / "shards").iterdir())
        self.report.check(all("cam1" in f for f in files), f"{unit}: shard names carry the "
                          f"instance name: {files}")
        self.sd.stop(unit, timeout=120)
        p = self.sd.show(unit, "ActiveState", "Result")
        self.report.check(p["ActiveState"] == "inactive" and p["Result"] == "success",
                          f"{unit}: stopped, Result={p['Result']}")

    # -- invariants ---------------------------------------------------------------------------

    def check_disposed(self, names: list[str]) -> None:
        left = [n for n in names if (self.ingest / n).exists()]
        self.report.check(not left, f"published sources left the ingest dir ({len(left)} remain)")

    def check_exactly_once(self, allow_pending: list[str] = ()) -> None:
        """Every dropped file is in exactly one manifest row (`allow_pending` ones may instead
        still wait in the ingest dir); no rejections."""
        counts = self.sources()
        twice = [n for n, c in counts.items() if c > 1]
        lost = [n for n in self.dropped if counts[n] == 0 and not (self.ingest / n).exists()]
        pending = [n for n in self.dropped if counts[n] == 0 and (self.ingest / n).exists()
                   and n not in allow_pending]
        self.report.check(not twice, f"no file in two manifest rows ({len(twice)} are: {twice[:5]})")
        waiting = [n for n in allow_pending if counts[n] == 0 and (self.ingest / n).exists()]
        self.report.check(not lost and not pending,
                          f"all {len(self.dropped) - len(waiting)} published files in exactly one "
                          f"row, {len(waiting)} still waiting in ingest (lost {len(lost)}, "
                          f"unexpectedly pending {len(pending)})")
        failures = self.state / "failed" / "failures.jsonl"
        self.report.check(not failures.exists() or not failures.read_text().strip(),
                          "no file was rejected")


def preflight(binary: Path) -> str | None:
    """Why the binary cannot be tested, or None."""
    if not binary.is_file():
        return f"{binary} does not exist"
    for args in (["run", "--help"], ["check-config", "--help"]):
        r = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30)
        if r.returncode != 0 or "--config" not in r.stdout + r.stderr:
            return f"`tiffshard {' '.join(args)}` does not work yet (exit {r.returncode})"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, type=Path, help="the tiffshard executable")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs for inspection")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        skip(f"systemd test needs root, unshare and cgroup2: {reason}")
    report = Report()
    raise_on_termination()
    problem = preflight(args.binary.resolve())
    if problem:
        report.check(False, "preflight", problem)
        return report.finish()

    def on_alarm(*_):
        raise Terminated("the whole scenario took longer than 900 s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(900)

    sd = SystemdHarness(keep=args.keep, verbose=args.verbose)
    conf = sd.tmp / "conf"  # bound to /etc/tiffshard; removed with the harness
    conf.mkdir(mode=0o755)  # the service user must read its config
    (conf / "tiffshard.yaml").write_text(config_text(WIDTHS[0]))
    (conf / "tiffshard.yaml").chmod(0o644)
    sd.binds["/etc/tiffshard"] = str(conf)
    try:
        sd.add_user("tiffshard")
        sd.install_binary("tiffshard", args.binary.resolve())
        sd.boot()
        sd.install_unit(SERVICE, UNIT.read_text())
        sd.install_unit("tiffshard@.service", TEMPLATE.read_text())
        print(f"systemd booted in {sd.tmp}; unit {UNIT} installed unchanged")
        sc = Scenario(sd, conf, report)
        steps = [("start tiffshard.service", sc.start),
                 ("drop 20 TIFFs: shards appear", sc.shards_appear),
                 ("change width, reload: new shards have the new width", sc.reload),
                 ("SIGSTOP the main process: watchdog restart, nothing lost", sc.watchdog),
                 ("drop a few, stop: partial shard flushed, nothing lost", sc.stop),
                 ("tiffshard@cam1.service: an instance with its own config and dirs", sc.instance)]
        for i, (title, body) in enumerate(steps):
            if not report.step(title, body):
                print(sd.journal(SERVICE, lines=60, hide_notify=True))
                if i == 0:
                    break  # nothing else can work if it does not start
    except (Exception, Terminated, KeyboardInterrupt) as e:  # noqa: BLE001
        report.check(False, "harness", f"{type(e).__name__}: {e}\n{sd.diagnostics()}")
    finally:
        signal.alarm(0)
        sd.teardown()
        if args.keep:
            print(f"kept {sd.tmp}")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
