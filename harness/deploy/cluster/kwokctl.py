"""Thin wrapper around the kwokctl command line (all state under the project's KWOK_WORKDIR)."""

from __future__ import annotations

import subprocess

from ...core.errors import HarnessError
from .settings import BINARY_FLAGS, ClusterSettings


def run(settings: ClusterSettings, *args: str, timeout: float = 300) -> str:
    """Run `kwokctl ARGS --name NAME`; a failure becomes one HarnessError naming the command."""
    cmd = [str(settings.binary("kwokctl")), *args, "--name", settings.name]
    try:
        done = subprocess.run(cmd, env=settings.env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"cluster: `kwokctl {' '.join(args)}` did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise HarnessError(f"cluster: `kwokctl {' '.join(args)}` failed: {tail}")
    return done.stdout


def create_args(settings: ClusterSettings) -> list[str]:
    """Arguments of `kwokctl create cluster`: our binaries, our port, our kubeconfig, our stages."""
    args = ["create", "cluster", "--runtime", "binary",
            "--kube-apiserver-port", str(settings.port),
            "--kubeconfig", str(settings.kubeconfig),
            "--timeout", "120s", "--wait", "60s"]
    for path in settings.config_files:
        args += ["--config", str(path)]
    for name, flag in BINARY_FLAGS.items():
        args += [flag, str(settings.binary(name))]
    return args


def exists(settings: ClusterSettings) -> bool:
    """kwokctl keeps one directory per cluster; its config file marks a created cluster."""
    return (settings.workdir / "clusters" / settings.name / "kwok.yaml").exists()
