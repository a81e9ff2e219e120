"""Kill and restart single control-plane processes of the local cluster.

`kwokctl start` skips components it believes run, and `kwokctl stop` + `start` restarts the
kwok controller too, whose node leases (200 s) then stall every pod until they expire. So a
restart here relaunches exactly the one process, the way kwokctl runs it (binary, args and
work directory from its kwok.yaml, output to its log, pid in its pid file).

kube-controller-manager and kube-scheduler exit by design when they cannot renew their
leader lease (about 10 s without the API server), sometimes well after it is back; a real
node's kubelet or systemd restarts them, kwokctl's binary runtime does not. `revive` plays
that supervisor.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from kubernetes import client

from harness.deploy.cluster.settings import ClusterSettings


@dataclass(frozen=True)
class ControlPlane:
    settings: ClusterSettings

    @property
    def _dir(self) -> Path:
        return self.settings.workdir / "clusters" / self.settings.name

    def _components(self) -> dict[str, dict]:
        docs = yaml.safe_load_all((self._dir / "kwok.yaml").read_text())
        config = next(d for d in docs if d and d.get("kind") == "KwokctlConfiguration")
        return {c["name"]: c for c in config["components"]}

    def pid(self, name: str) -> int:
        return int((self._dir / "pids" / f"{name}.pid").read_text().strip())

    def kill(self, name: str, timeout: float = 30) -> None:
        """SIGKILL: a crash, not a clean shutdown."""
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} (pid {pid}) still alive {timeout:.0f} s after SIGKILL")
            time.sleep(0.1)

    def relaunch(self, name: str) -> None:
        """Started from a shell that exits at once: the process belongs to init, like kwokctl's,
        and outlives this test session without being a child pytest would have to reap."""
        component = self._components()[name]
        argv = shlex.join([component["binary"], *component.get("args", [])])
        log = shlex.quote(str(self._dir / "logs" / f"{name}.log"))
        started = subprocess.run(["sh", "-c", f"setsid {argv} >>{log} 2>&1 </dev/null & echo $!"],
                                 cwd=component.get("workDir", str(self._dir)), capture_output=True, text=True,
                                 check=True)
        (self._dir / "pids" / f"{name}.pid").write_text(started.stdout.strip())

    def revive(self) -> list[str]:
        """Relaunch every component that is not running; their names."""
        dead = [name for name in self._components() if not _alive(self.pid(name))]
        for name in dead:
            self.relaunch(name)
        return dead


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return False


def pods_become_ready(api: client.ApiClient, while_waiting: Callable[[], object], timeout: float = 90) -> float:
    """Seconds until a throwaway 2-replica Deployment is available: proves the controllers, the
    scheduler and kwok all work again (smoke only reads state, so it passes on a frozen cluster).
    `while_waiting` runs on every poll (the supervisor's turn)."""
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
            while_waiting()
            time.sleep(0.5)
        return time.monotonic() - started
    finally:
        core.delete_namespace(namespace)
