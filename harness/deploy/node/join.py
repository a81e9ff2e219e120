"""The real node joins the local control plane (agents in its sandbox) and leaves it again."""

from __future__ import annotations

import time

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from . import agents, daemons, lifecycle, sandbox
from .lifecycle import NodeStatus
from .settings import NodeSettings


def join(settings: NodeSettings, api: client.ApiClient) -> NodeStatus:
    """Sandbox, API relay, containerd, kubelet; waits until the Node is Ready (idempotent)."""
    pid = sandbox.holder(settings) or lifecycle.up(settings).holder
    assert pid is not None
    agents.start_relay(settings, pid)
    agents.start_containerd(settings, pid)
    started = time.monotonic()
    was_ready = agents.node_ready(api, settings.name)
    agents.start_kubelet(settings, pid, api)
    return NodeStatus(True, pid, settings.node_ip, ready_after=None if was_ready else time.monotonic() - started)


def leave(settings: NodeSettings, api: client.ApiClient | None = None) -> NodeStatus:
    """Stop the relay and the sandbox; the Node object goes too when the API answers."""
    daemons.stop(settings, "api-relay")
    state = lifecycle.down(settings)
    if api is not None:
        try:
            client.CoreV1Api(api).delete_node(settings.name, _request_timeout=5)
        except ApiException as err:
            if err.status != 404:
                raise
    return state
