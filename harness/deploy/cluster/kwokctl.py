"""The local cluster's kwokctl calls (all state under the project's KWOK_WORKDIR)."""

from __future__ import annotations

from ...tools.kwokctl import kwokctl
from .settings import BINARY_FLAGS, ClusterSettings


def run(settings: ClusterSettings, *args: str, timeout: float = 300) -> str:
    """Run `kwokctl ARGS --name NAME` with the cluster's binary and environment."""
    return kwokctl(settings.binary("kwokctl"), args, settings.name, settings.env(), timeout)


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
