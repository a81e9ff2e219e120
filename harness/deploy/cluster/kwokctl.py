"""The local cluster's kwokctl calls (all state under the project's KWOK_WORKDIR)."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

from ...core.yamlio import dump_yaml, load_yaml_file
from ...tools.kwokctl import kwokctl
from ..node.settings import NodeSettings
from .settings import BINARY_FLAGS, ETCD_TOOL_OPTIONS, ClusterSettings


def run(settings: ClusterSettings, *args: str, timeout: float = 300) -> str:
    """Run `kwokctl ARGS --name NAME` with the cluster's binary and environment."""
    return kwokctl(settings.binary("kwokctl"), args, settings.name, settings.env(), timeout)


def write_config(settings: ClusterSettings) -> Path:
    """cluster/kwokctl.yaml plus the pinned etcdctl and etcdutl, which `kwokctl snapshot save|restore`
    run and would otherwise download: no flag names them, and kwokctl reads only the first
    KwokctlConfiguration it is given, so the absolute paths of this checkout go into a copy."""
    settings.workdir.mkdir(parents=True, exist_ok=True)
    settings.generated_config.write_text(f"# Written by the harness from {settings.config_files[0].name}.\n"
                                         + dump_yaml(config_document(settings)))
    return settings.generated_config


def config_document(settings: ClusterSettings) -> dict:
    config = deepcopy(load_yaml_file(settings.config_files[0]))
    config.setdefault("options", {}).update({option: str(settings.binary(name))
                                             for name, option in ETCD_TOOL_OPTIONS.items()})
    _reachable_from_the_node(config, NodeSettings(settings))
    return config


def create_args(settings: ClusterSettings) -> list[str]:
    """Arguments of `kwokctl create cluster`: our binaries, our port, our kubeconfig, our stages."""
    args = ["create", "cluster", "--runtime", "binary",
            "--kube-apiserver-port", str(settings.port),
            "--kubeconfig", str(settings.kubeconfig),
            "--timeout", "120s", "--wait", "60s"]
    for path in (write_config(settings), *settings.config_files[1:]):
        args += ["--config", str(path)]
    for name, flag in BINARY_FLAGS.items():
        args += [flag, str(settings.binary(name))]
    return args


def exists(settings: ClusterSettings) -> bool:
    """kwokctl keeps one directory per cluster; its config file marks a created cluster."""
    return settings.state_file.exists()


def _reachable_from_the_node(config: dict, node: NodeSettings) -> None:
    """Pods reach the API server as in any cluster, through the `kubernetes` Service: its endpoint
    is the node's own address (where the node's relay listens), and the serving certificate names
    the Service's cluster IP and that address. Harmless without a real node: nothing dials them."""
    config["options"]["kubeApiserverCertSANs"] = [node.api_service_ip, node.node_ip]
    config.setdefault("componentsPatches", []).append({
        "name": "kube-apiserver",
        "extraArgs": [{"key": "advertise-address", "value": node.node_ip}]})
