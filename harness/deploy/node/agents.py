"""The node's agents: the API relay on the host end of the veth pair, containerd (with the pause
image imported) and kubelet inside the sandbox, joined to the local control plane."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from kubernetes import client

from ...core.errors import HarnessError
from ...tools import ctr
from ...tools.process import ToolError
from ..images.index import Image, index_path, load_index
from . import config, credentials, daemons
from .daemons import Daemon
from .settings import NodeSettings

CONTAINERD_SOCKET = "/run/containerd/containerd.sock"
# Workloads that ask for the real node select this label (the kwok nodes never carry it) and
# tolerate this taint: nothing else lands there, so a pod of an image that exists only in
# someone's registry stays on the simulated nodes.
NODE_LABELS = {"node.acme.dev/real": "true"}
NODE_TAINT = {"key": "node.acme.dev/real", "value": "true", "effect": "NoSchedule"}
NODE_TOLERATION = {**NODE_TAINT, "operator": "Equal"}


def _tools(settings: NodeSettings) -> Path:
    return settings.cluster.project.root / ".tools"


def binary(settings: NodeSettings, name: str) -> str:
    path = _tools(settings) / "bin" / name
    if not path.exists():
        raise HarnessError(f"node: binary {name} missing at {path}; run `make tools`")
    return str(path)


def in_sandbox(holder: int, path: str) -> Path:
    """A path of the node's mount namespace, as the host sees it."""
    return Path(f"/proc/{holder}/root") / path.lstrip("/")


def _connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _listens_inside(holder: int, port: int) -> bool:
    """A TCP socket listening on `port` in the node's network namespace (/proc/<pid>/net/tcp is
    the table of that process's namespace; state 0A is LISTEN)."""
    try:
        table = Path(f"/proc/{holder}/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    return any(f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port
               for f in (line.split() for line in table))


def pki_dir(settings: NodeSettings) -> Path:
    """kwokctl's PKI of the control plane: its CA signs the agents' client certificates."""
    return settings.cluster.workdir / "clusters" / settings.cluster.name / "pki"


def agent_kubeconfig(settings: NodeSettings, agent: str, user: str, groups: tuple[str, ...] = ()) -> Path:
    """`.cache/node/<agent>/kubeconfig`: a client certificate for `user`, dialling the API relay."""
    pki = pki_dir(settings)
    cert, key = credentials.client_certificate(pki, user, groups)
    return credentials.write_kubeconfig(
        settings.state_dir / agent / "kubeconfig", f"https://{settings.host_ip}:{settings.cluster.port}",
        pki / "ca.crt", user, cert, key)


def start_relay(settings: NodeSettings, holder: int) -> None:
    port = settings.cluster.port
    daemons.start(settings, holder, Daemon(
        "api-relay", [sys.executable, "-m", "harness.deploy.node.forward", settings.host_ip, str(port)],
        lambda: _connects(settings.host_ip, port), timeout=10, in_sandbox=False,
        env={"PYTHONPATH": str(settings.cluster.project.root)}))


def start_pod_relay(settings: NodeSettings, holder: int) -> None:
    """The `kubernetes` Service's endpoint (the API server advertises the node's address), inside."""
    port = settings.cluster.port
    daemons.start(settings, holder, Daemon(
        "api-pod-relay", [sys.executable, "-m", "harness.deploy.node.forward", settings.node_ip, str(port),
                          settings.host_ip],
        lambda: bool(daemons.pid_of(settings, "api-pod-relay")) and _listens_inside(holder, port), timeout=10,
        env={"PYTHONPATH": str(settings.cluster.project.root)}))


def local_images(settings: NodeSettings) -> dict[str, Image]:
    """The images `make tools` built from pinned inputs (docs/local-images.md); `pause` is a must."""
    images = load_index(settings.cluster.project)
    if "pause" not in images:
        raise HarnessError(f"node: {index_path(settings.cluster.project)} has no pause image (the pod sandbox); "
                           "run: make images")
    return images


def start_containerd(settings: NodeSettings, holder: int) -> None:
    """containerd with every local image imported; nothing to do while it runs."""
    if daemons.pid_of(settings, "containerd") is not None:
        return
    images = local_images(settings)
    conf = settings.state_dir / "containerd" / "config.toml"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(config.containerd_toml(settings, _tools(settings), images["pause"].ref))
    cni_dir = settings.state_dir / "cni" / "net.d"
    cni_dir.mkdir(parents=True, exist_ok=True)
    (cni_dir / "10-acme.conflist").write_text(config.cni_conflist(settings))
    # The shim is found on PATH, next to containerd.
    env = {"PATH": f"{_tools(settings) / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin"}
    daemons.start(settings, holder, Daemon(
        "containerd", [binary(settings, "containerd"), "--config", str(conf)],
        lambda: in_sandbox(holder, CONTAINERD_SOCKET).is_socket(), env=env))
    for name, image in sorted(images.items()):
        try:
            ctr.import_image(Path(binary(settings, "ctr")), holder, CONTAINERD_SOCKET, image.archive, name,
                             image.ref, f"{image.repository}@{image.digest}")
        except ToolError as err:
            raise HarnessError(f"node: {err}") from None


def start_kubelet(settings: NodeSettings, holder: int, api: client.ApiClient) -> None:
    """kubelet with its own client certificate; returns once the Node is Ready."""
    if daemons.pid_of(settings, "kubelet") is not None and node_ready(api, settings.name):
        return
    kubeconfig = agent_kubeconfig(settings, "kubelet", f"system:node:{settings.name}", ("system:nodes",))
    conf = settings.state_dir / "kubelet" / "config.yaml"
    conf.write_text(config.kubelet_yaml(settings, pki_dir(settings) / "ca.crt", settings.cluster_dns))
    # The cluster DNS answers the cluster's own names only: pods reach no resolver beyond the node.
    (settings.state_dir / "resolv.conf").write_text("")
    labels = ",".join(f"{k}={v}" for k, v in NODE_LABELS.items())
    daemons.start(settings, holder, Daemon(
        "kubelet", [binary(settings, "kubelet"), "--config", str(conf), "--kubeconfig", str(kubeconfig),
                    "--hostname-override", settings.name, "--node-ip", settings.node_ip, "--node-labels", labels,
                    "--register-with-taints", f"{NODE_TAINT['key']}={NODE_TAINT['value']}:{NODE_TAINT['effect']}"],
        lambda: node_ready(api, settings.name), timeout=60))


def node_ready(api: client.ApiClient, name: str) -> bool:
    try:
        node = client.CoreV1Api(api).read_node(name, _request_timeout=2)
    except Exception:  # noqa: BLE001 - not registered yet, or the API is busy: poll again
        return False
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or [])
