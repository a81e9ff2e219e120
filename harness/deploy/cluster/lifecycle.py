"""Start, stop and describe the local cluster; every operation is idempotent."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace

from ...core.errors import HarnessError
from ..node import join as real_node_join
from ..node import lifecycle as real_node
from ..node.sandbox import NodeUnavailable
from ..node.settings import NodeSettings
from . import crds, kwokctl, nodes, storage
from .client import api_client, reachable
from .ports import port_free
from .settings import BINARY_FLAGS, ETCD_TOOL_OPTIONS, ClusterSettings


# ACME_REAL_NODE=0 starts the simulated nodes only (a machine without the node's tools, or a
# scale test that wants no real pods).
REAL_NODE_ENV = "ACME_REAL_NODE"


@dataclass(frozen=True)
class ClusterState:
    created: bool
    running: bool
    ready_nodes: int
    kubeconfig: str
    real_node: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        state = "running" if self.running else ("stopped" if self.created else "absent")
        return [f"cluster: {state}", f"nodes ready: {self.ready_nodes}", *self.real_node,
                f"kubeconfig: {self.kubeconfig}"]


def real_node_wanted() -> bool:
    return os.environ.get(REAL_NODE_ENV, "1") != "0"


def check_binaries(settings: ClusterSettings) -> None:
    for name in (*BINARY_FLAGS, *ETCD_TOOL_OPTIONS, "kwokctl", "kubectl"):
        settings.binary(name)


def _running(settings: ClusterSettings) -> bool:
    return settings.kubeconfig.exists() and reachable(api_client(settings.kubeconfig, settings.context))


def _secure_kubeconfig(settings: ClusterSettings) -> None:
    """The kubeconfig holds the admin client key: owner-only, like ~/.kube/config should be.
    kwokctl writes the PKI world-readable (0644) inside its work directory, so that is owner-only too."""
    if not settings.kubeconfig.exists():
        raise HarnessError(f"cluster: kwokctl wrote no kubeconfig at {settings.kubeconfig}")
    for directory in (settings.kubeconfig.parent, settings.workdir):
        os.chmod(directory, 0o700)
    os.chmod(settings.kubeconfig, 0o600)


def _wait_api(settings: ClusterSettings, timeout: float = 60) -> None:
    api = api_client(settings.kubeconfig, settings.context)
    deadline = time.monotonic() + timeout
    while not reachable(api):
        if time.monotonic() > deadline:
            raise HarnessError(f"cluster: API server on 127.0.0.1:{settings.port} not answering after {timeout:.0f} s; "
                               f"logs in {settings.workdir / 'clusters' / settings.name / 'logs'}")
        time.sleep(0.5)


def _forget_the_last_node(node: NodeSettings) -> None:
    """A new cluster starts without the previous one's node and volume data (its etcd is new too)."""
    if real_node.status(node).running:
        real_node_join.leave(node)
    real_node_join.discard_volumes(node)


def up(settings: ClusterSettings, with_crds: bool = True) -> ClusterState:
    check_binaries(settings)
    if not _running(settings):
        if not port_free(settings.port):
            raise HarnessError(f"cluster: port 127.0.0.1:{settings.port} is busy (another cluster or process); "
                               "free it or set ACME_CLUSTER_PORT")
        settings.kubeconfig.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if kwokctl.exists(settings):
            kwokctl.run(settings, "start", "cluster", "--timeout", "120s", "--wait", "60s")
        else:
            _forget_the_last_node(NodeSettings(settings))
            kwokctl.run(settings, *kwokctl.create_args(settings))
        _secure_kubeconfig(settings)
        _wait_api(settings)
    api = api_client(settings.kubeconfig, settings.context)
    wanted = nodes.ensure_nodes(api, settings.nodes_file)
    storage.ensure_storage(api, settings.storage_file)
    storage.ensure_namespaces(api, settings.namespaces_file)
    if with_crds:
        crds.apply(settings.crds_module, settings.binary("kubectl"), settings.env(), settings.crds_stamp)
    nodes.wait_ready(api, wanted)
    if not real_node_wanted():
        return status(settings)
    try:
        joined = real_node_join.join(NodeSettings(settings), api)
    except NodeUnavailable as err:
        return replace(status(settings), real_node=[f"real node: {err}"])
    return replace(status(settings), real_node=joined.lines())


def down(settings: ClusterSettings, timeout: float = 30) -> ClusterState:
    node = NodeSettings(settings)
    if real_node.status(node).running:  # whether or not it was asked for this time
        real_node_join.leave(node, api_client(settings.kubeconfig, settings.context) if _running(settings) else None)
    if kwokctl.exists(settings):
        kwokctl.run(settings, "delete", "cluster", "--kubeconfig", str(settings.kubeconfig))
    settings.kubeconfig.unlink(missing_ok=True)
    # kwokctl returns before the API server has let go of its port; an `up` right after must not
    # mistake our own exiting server for "another process".
    deadline = time.monotonic() + timeout
    while not port_free(settings.port):
        if time.monotonic() > deadline:
            raise HarnessError(f"cluster: port 127.0.0.1:{settings.port} still busy {timeout:.0f} s after delete")
        time.sleep(0.2)
    return status(settings)


def status(settings: ClusterSettings) -> ClusterState:
    running = _running(settings)
    ready = nodes.ready_nodes(api_client(settings.kubeconfig, settings.context)) if running else 0
    node = real_node.status(NodeSettings(settings))
    return ClusterState(kwokctl.exists(settings), running, ready, str(settings.kubeconfig), node.lines() if node.running else [])
