"""Kill and restart single control-plane processes of the local cluster.

`kwokctl start` skips components it believes run, and `kwokctl stop` + `start` restarts the
kwok controller too, whose node leases (200 s) then stall every pod until they expire. So a
restart here relaunches exactly the one process, with the command line it ran with.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.cluster.settings import ClusterSettings


@dataclass(frozen=True)
class Process:
    name: str  # kwokctl's component name: etcd, kube-apiserver, ...
    pid: int
    argv: list[str]
    cwd: str


@dataclass(frozen=True)
class ControlPlane:
    settings: ClusterSettings

    @property
    def _dir(self) -> Path:
        return self.settings.workdir / "clusters" / self.settings.name

    def process(self, name: str) -> Process:
        pid = int((self._dir / "pids" / f"{name}.pid").read_text().strip())
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        return Process(name, pid, [a.decode() for a in argv], os.readlink(f"/proc/{pid}/cwd"))

    def kill(self, process: Process, sig: signal.Signals = signal.SIGKILL, timeout: float = 30) -> None:
        os.kill(process.pid, sig)
        deadline = time.monotonic() + timeout
        while Path(f"/proc/{process.pid}").exists() and _state(process.pid) != "Z":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{process.name} (pid {process.pid}) still alive {timeout:.0f} s after {sig.name}")
            time.sleep(0.1)

    def relaunch(self, process: Process) -> None:
        """Start the process again as kwokctl did (same argv, cwd and log), and record its pid
        where kwokctl looks, so `kwokctl stop`/`delete` still end it."""
        # Started from a shell that exits at once: the process belongs to init, like kwokctl's,
        # so it outlives this test session without being a child pytest would have to reap.
        log = shlex.quote(str(self._dir / "logs" / f"{process.name}.log"))
        started = subprocess.run(["sh", "-c", f"setsid {shlex.join(process.argv)} >>{log} 2>&1 </dev/null & echo $!"],
                                 cwd=process.cwd, capture_output=True, text=True, check=True)
        (self._dir / "pids" / f"{process.name}.pid").write_text(started.stdout.strip())


def _state(pid: int) -> str:
    """The process state letter from /proc (Z: a zombie not yet reaped by its parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return "X"
