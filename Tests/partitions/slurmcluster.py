"""A one-node Slurm 22.05 cluster on 127.0.0.1 for tests, started and stopped by the test itself.

munged, slurmctld and slurmd run in the foreground as children of this process (no systemd, no cgroups:
proctrack/linuxproc, task/none), with every config, socket, log and state file in one temporary directory,
and are stopped by their PIDs. Client commands get the environment of `env()` (SLURM_CONF).
"""
import os
import shutil
import signal
import socket
import subprocess
import time


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlurmCluster:
    NODE = "tiffnode"

    def __init__(self, root, cpus=4):
        self.root = root
        self.cpus = cpus
        self.procs = []
        self.conf = os.path.join(root, "slurm.conf")

    def env(self, **extra):
        env = dict(os.environ)
        for name in list(env):
            if name.startswith("SLURM_"):
                del env[name]
        env["SLURM_CONF"] = self.conf
        env.update(extra)
        return env

    def _write_config(self):
        r = self.root
        for d in ("munge", "state", "spool", "log"):
            os.makedirs(os.path.join(r, d), exist_ok=True)
        # munged refuses a socket directory others can write to; clients need to traverse it (0711).
        os.chmod(os.path.join(r, "munge"), 0o711)
        os.chmod(r, 0o755)
        self.munge_socket = os.path.join(r, "munge", "munge.socket")
        key = os.path.join(r, "munge", "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        self.munge_key = key
        ctld_port, d_port = _free_port(), _free_port()
        with open(self.conf, "w") as f:
            f.write(f"""\
ClusterName=tiffshardtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={self.munge_socket}
CredType=cred/munge
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmdParameters=config_overrides
MinJobAge=2
KillWait=5
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
SchedulerParameters=sched_interval=1
NodeName={self.NODE} NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes={self.NODE} Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name, argv):
        log = open(os.path.join(self.root, "log", name + ".out"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env(), start_new_session=True)
        self.procs.append((name, p))
        return p

    def start(self, timeout=60):
        self._write_config()
        self._spawn("munged", ["munged", "-F", "--force", f"--socket={self.munge_socket}",
                               f"--key-file={self.munge_key}", f"--pid-file={self.root}/munge/munged.pid",
                               f"--log-file={self.root}/log/munged.log", f"--seed-file={self.root}/munge/seed"])
        self._wait(lambda: os.path.exists(self.munge_socket), timeout, "munged socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", self.conf])
        self._wait(lambda: self.run(["scontrol", "ping"], check=False).stdout.find("UP") >= 0, timeout, "slurmctld")
        self._spawn("slurmd", ["slurmd", "-D", "-N", self.NODE, "-f", self.conf])

        def idle():
            out = self.run(["sinfo", "-h", "-N", "-o", "%T"], check=False).stdout.strip()
            return out in ("idle", "mixed", "allocated")
        self._wait(idle, timeout, "slurmd registered and idle")
        return self

    def _wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}) while waiting for {what}:\n{self.logs()}")
            if condition():
                return
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}:\n{self.logs()}")

    def run(self, argv, check=True, **kw):
        return subprocess.run(argv, env=kw.pop("env", self.env()), capture_output=True, text=True, check=check, **kw)

    def logs(self):
        out = []
        logdir = os.path.join(self.root, "log")
        for name in sorted(os.listdir(logdir)):
            with open(os.path.join(logdir, name), errors="replace") as f:
                out.append(f"--- {name}\n" + "".join(f.readlines()[-25:]))
        return "\n".join(out)

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
