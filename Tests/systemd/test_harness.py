#!/usr/bin/env python3
"""Self-test of the systemd harness with a stand-in Type=notify service.

Runs the real systemd/tiffshard.service (hardening and all) under a real systemd 252 PID 1,
with standin_service.py installed as /usr/local/bin/tiffshard; only WatchdogSec is shortened by
a drop-in. Proves start (READY=1), StatusText, reload (RELOADING=1 ... READY=1), watchdog restart
after SIGSTOP (NRestarts=1), stop (STOPPING=1, exit 0), a tiffshard@.service instance with its
own config and state directories, and teardown. Finally sandbox_probe.cpp (built with g++)
runs under the same unit and exercises every syscall and library the daemon needs.

    python3 Tests/systemd/test_harness.py [--keep] [--verbose]
"""
import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Terminated, raise_on_termination, SystemdHarness, unavailable_reason  # noqa: E402
from report import Report, skip  # noqa: E402

HERE = Path(__file__).resolve().parent
UNIT = HERE.parent.parent / "systemd" / "tiffshard.service"
TEMPLATE = HERE.parent.parent / "systemd" / "tiffshard@.service"
SERVICE = "tiffshard.service"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        skip(f"systemd harness unavailable: {reason}")

    report = Report()
    raise_on_termination()
    sd = SystemdHarness(keep=args.keep, verbose=args.verbose)
    conf = sd.tmp / "conf"  # bound to /etc/tiffshard; removed with the harness
    conf.mkdir(mode=0o755)
    (conf / "tiffshard.yaml").write_text("width: 64\n")
    sd.binds["/etc/tiffshard"] = str(conf)
    try:
        sd.add_user("tiffshard")
        sd.install_binary("tiffshard", HERE / "standin_service.py")
        sd.boot()
        sd.install_unit(SERVICE, UNIT.read_text(),
                        dropins={"50-test": "[Service]\nWatchdogSec=3s\n"})
        sd.install_unit("tiffshard@.service", TEMPLATE.read_text())

        def start():
            sd.start(SERVICE)
            p = sd.wait_for(SERVICE, lambda p: "width 64" in p["StatusText"], "StatusText")
            report.check(p["ActiveState"] == "active", f"start: ActiveState={p['ActiveState']}")
            report.check("width 64" in p["StatusText"], f"start: StatusText={p['StatusText']!r}")
            status = sd.run("cat", f"/proc/{p['MainPID']}/status").stdout
            fields = dict(l.split(":", 1) for l in status.splitlines() if ":" in l)
            uid = fields["Uid"].split()[0]
            report.check(uid != "0", f"hardening: main process runs as uid {uid}, not root")
            report.check(fields["NoNewPrivs"].strip() == "1", "hardening: NoNewPrivs=1")
            report.check(fields["Seccomp"].strip() == "2", "hardening: seccomp filter active")
            report.check(fields["CapEff"].strip() == "0" * 16, "hardening: no capabilities")

        def reload():
            (conf / "tiffshard.yaml").write_text("width: 96\n")
            sd.reload(SERVICE)
            p = sd.wait_for(SERVICE, lambda p: "width 96" in p["StatusText"], "new StatusText")
            report.check(p["ActiveState"] == "active", f"reload: ActiveState={p['ActiveState']}")
            report.check("1 reloads" in p["StatusText"], f"reload: StatusText={p['StatusText']!r}")

        def watchdog():
            before = sd.show(SERVICE, "MainPID")["MainPID"]
            sd.kill(SERVICE, "SIGSTOP")
            p = sd.wait_for(SERVICE, lambda p: p["NRestarts"] == "1" and p["ActiveState"] == "active"
                            and p["MainPID"] not in ("0", before), "watchdog restart")
            report.check(True, f"watchdog: SIGSTOPped pid {before} replaced by {p['MainPID']}, "
                               f"NRestarts={p['NRestarts']}")
            log = sd.journal(SERVICE)
            report.check("Watchdog timeout" in log, "watchdog: journal shows the watchdog timeout")

        def stop():
            sd.stop(SERVICE)
            p = sd.show(SERVICE, "ActiveState", "Result", "ExecMainStatus")
            report.check(p["ActiveState"] == "inactive", f"stop: ActiveState={p['ActiveState']}")
            report.check(p["Result"] == "success" and p["ExecMainStatus"] == "0",
                         f"stop: Result={p['Result']} ExecMainStatus={p['ExecMainStatus']}")
            report.check("stand-in stopping" in sd.journal(SERVICE), "stop: service saw SIGTERM")

        def instance():
            (conf / "cam1.yaml").write_text("width: 80\n")
            sd.start("tiffshard@cam1.service")
            p = sd.wait_for("tiffshard@cam1.service", lambda p: "width 80" in p["StatusText"],
                            "StatusText")
            report.check(p["ActiveState"] == "active",
                         f"tiffshard@cam1: active, StatusText={p['StatusText']!r}")
            for d in ("ingest", "shards", "processed", "failed"):
                report.check((sd.var_lib / "tiffshard" / "cam1" / d).is_dir(),
                             f"tiffshard@cam1: /var/lib/tiffshard/cam1/{d} created")
            cwd = sd.run("readlink", f"/proc/{p['MainPID']}/cwd").stdout.strip()
            report.check(cwd == "/var/lib/tiffshard/cam1", f"tiffshard@cam1: cwd {cwd}")
            sd.stop("tiffshard@cam1.service")
            p = sd.show("tiffshard@cam1.service", "ActiveState", "Result")
            report.check(p["ActiveState"] == "inactive" and p["Result"] == "success",
                         f"tiffshard@cam1: stopped, Result={p['Result']}")

        def probe():
            # The real unit's sandbox against everything the daemon needs (sandbox_probe.cpp).
            binary = sd.tmp / "probe"
            cmd = ["g++", "-O1", "-std=c++17", "-o", str(binary), str(HERE / "sandbox_probe.cpp"),
                   "-I/usr/include/opencv4", "-lopencv_imgproc", "-lopencv_core", "-ltiff",
                   "-lsystemd"]
            if shutil.which("g++") is None:
                print("  skip: no g++")
                return
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
            sd.install_binary("tiffshard-probe", binary)
            sd.install_unit("probe.service", UNIT.read_text().replace(
                "/usr/local/bin/tiffshard ", "/usr/local/bin/tiffshard-probe "))
            r = sd.systemctl("start", "probe.service", check=False)
            p = sd.show("probe.service", "ActiveState", "StatusText")
            report.check(r.returncode == 0 and p["StatusText"].startswith("probe ok"),
                         f"sandbox probe under the real unit: {p['ActiveState']}, "
                         f"{p['StatusText']!r}")
            sd.stop("probe.service")

        for title, body in (("start", start), ("reload", reload), ("watchdog", watchdog),
                            ("stop", stop), ("template instance", instance),
                            ("sandbox probe: what tiffshard needs, under the real unit", probe)):
            if not report.step(title, body):
                print(sd.journal(SERVICE, lines=40, hide_notify=True))
    except (Exception, Terminated, KeyboardInterrupt) as e:  # noqa: BLE001
        report.check(False, "harness", f"{type(e).__name__}: {e}\n{sd.diagnostics()}")
    finally:
        sd.teardown()
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
