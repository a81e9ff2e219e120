"""The real node joins the local control plane (agents in its sandbox) and leaves it again."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from ...tools import nsenter
from ...tools.process import ToolError
from ..cluster import storage
from . import addons, agents, daemons, dataplane, lifecycle, network, sandbox
from .lifecycle import NodeStatus
from .settings import OVERLAID, NodeSettings


def join(settings: NodeSettings, api: client.ApiClient) -> NodeStatus:
    """Sandbox, API relays, containerd, kubelet, kube-proxy, kube-router, then the cluster DNS and
    the edge as pods; returns once all are ready (idempotent)."""
    pid = sandbox.holder(settings) or lifecycle.up(settings).holder
    assert pid is not None
    agents.start_relay(settings, pid)
    agents.start_pod_relay(settings, pid)
    network.admit_replies(settings, pid)
    prepare_volumes(settings, pid)
    agents.start_containerd(settings, pid)
    started = time.monotonic()
    was_ready = agents.node_ready(api, settings.name)
    agents.start_kubelet(settings, pid, api)
    ready_after = None if was_ready else time.monotonic() - started
    dataplane.start_kube_proxy(settings, pid)
    available_after = {}
    for addon in addons.ADDONS:
        addons.apply(settings, addon)
        if addon.name == "kube-router":
            dataplane.start_kube_router(settings, pid)
        if addon.deployment is not None:
            available_after[addon.deployment[1]] = addons.wait_available(api, addon)
    return NodeStatus(True, pid, settings.node_ip, ready_after=ready_after, available_after=available_after)


def prepare_volumes(settings: NodeSettings, pid: int) -> None:
    """The static PVs' directories (cluster/storage.yaml), inside the node's /var/lib overlay.
    No provisioner creates them with the claimant's owner and kubelet applies no fsGroup to a
    hostPath, so they are world-writable with the sticky bit, like /tmp: the pod's user makes
    its own subdirectory (PostgreSQL's PGDATA, mode 0700) inside."""
    paths = storage.volume_paths(settings.cluster.storage_file)
    try:
        nsenter.run_inside(pid, "sh", "-ec", f"mkdir -p {' '.join(paths)}\nchmod 1777 {' '.join(paths)}",
                           what="creating the node's volume directories")
    except ToolError as err:
        raise HarnessError(f"node: {err}") from None


def discard_volumes(settings: NodeSettings) -> list[str]:
    """Empty the static PVs' directories of a node that is not running; the paths emptied.
    A new cluster's PVs are new volumes: what the last cluster's pods wrote there (PostgreSQL's
    PGDATA, initialised with that cluster's generated password) would otherwise be bound again,
    and the new password would never open it."""
    if lifecycle.status(settings).running:
        raise HarnessError("node: its volumes cannot be discarded while it runs")
    emptied = []
    for path in storage.volume_paths(settings.cluster.storage_file):
        stale = _upper(settings, path)
        if stale.is_dir() and any(stale.iterdir()):
            shutil.rmtree(stale)
            emptied.append(path)
    return emptied


def _upper(settings: NodeSettings, path: str) -> Path:
    """Where the node's writes to `path` land on the host: the upper directory of its overlay."""
    target = next(t for t in OVERLAID if path.startswith(t + "/"))
    return settings.overlay_dirs(target)[0] / path[len(target) + 1:]


def leave(settings: NodeSettings, api: client.ApiClient | None = None) -> NodeStatus:
    """Stop the relay and the sandbox; the Node object goes too when the API answers."""
    daemons.stop(settings, "api-relay")  # the pod relay runs inside and ends with the sandbox
    state = lifecycle.down(settings)
    if api is not None:
        try:
            client.CoreV1Api(api).delete_node(settings.name, _request_timeout=5)
        except ApiException as err:
            if err.status != 404:
                raise
    return state
