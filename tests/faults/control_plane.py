"""Kill and restart single control-plane processes of the local cluster.

`kwokctl start` skips components it believes run, and `kwokctl stop` + `start` restarts the
kwok controller too, whose node leases (200 s) then stall every pod until they expire. So a
restart here relaunches exactly the one process, with the command line it ran with.

kube-controller-manager and kube-scheduler exit by design when they cannot renew their
leader lease (10 s without the API server); a real node's kubelet or systemd restarts them,
kwokctl's binary runtime does not. `revive` plays that supervisor.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client

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
        pid = self.process_pid(name)
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        return Process(name, pid, [a.decode() for a in argv], os.readlink(f"/proc/{pid}/cwd"))

    def processes(self) -> list[Process]:
        """Every running component, recorded before a fault so any that exits can be revived."""
        return [self.process(pid_file.stem) for pid_file in sorted((self._dir / "pids").glob("*.pid"))]

    def revive(self, before: list[Process]) -> list[str]:
        """Relaunch each component of `before` that is no longer running; their names."""
        dead = [p for p in before if not _alive(self.process_pid(p.name))]
        for process in dead:
            self.relaunch(process)
        return [p.name for p in dead]

    def process_pid(self, name: str) -> int:
        return int((self._dir / "pids" / f"{name}.pid").read_text().strip())

    def kill(self, process: Process, sig: signal.Signals = signal.SIGKILL, timeout: float = 30) -> None:
        os.kill(process.pid, sig)
        deadline = time.monotonic() + timeout
        while _alive(process.pid):
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


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return False


def pods_become_ready(api: client.ApiClient, timeout: float = 90) -> float:
    """Seconds until a throwaway 2-replica Deployment is available: proves the controllers, the
    scheduler and kwok all work again (smoke only reads state, so it passes on a frozen cluster)."""
    namespace = f"acme-fault-probe-{int(time.time())}"
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": namespace}})
    labels = {"app": "probe"}
    container = {"name": "probe", "image": "registry.invalid/probe:1", "securityContext": {
        "allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 10001,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}
    apps.create_namespaced_deployment(namespace, {
        "metadata": {"name": "probe"},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}})
    started = time.monotonic()
    try:
        while (apps.read_namespaced_deployment("probe", namespace).status.available_replicas or 0) < 2:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"a new Deployment was not available within {timeout:.0f} s")
            time.sleep(0.5)
        return time.monotonic() - started
    finally:
        core.delete_namespace(namespace)
