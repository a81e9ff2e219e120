"""Simulated Node objects spread over zones (cluster/nodes.yaml); kwok fills in their status."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from ...core.yamlio import load_yaml_file


def node_manifests(nodes_file: Path) -> list[dict[str, Any]]:
    spec = load_yaml_file(nodes_file)
    nodes = []
    for zone in spec["zones"]:
        for index in range(1, int(spec["nodesPerZone"]) + 1):
            name = f"kwok-{zone}-{index}"
            nodes.append({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": {
                        "kubernetes.io/hostname": name,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        "topology.kubernetes.io/zone": zone,
                        "topology.kubernetes.io/region": spec["region"],
                        "type": "kwok",
                    },
                    # kwok's marker for a node it simulates.
                    "annotations": {"kwok.x-k8s.io/node": "fake"},
                },
            })
    return nodes


def ensure_nodes(api: client.ApiClient, nodes_file: Path) -> int:
    """Create the missing nodes; returns how many the cluster should have."""
    core = client.CoreV1Api(api)
    wanted = node_manifests(nodes_file)
    for node in wanted:
        try:
            core.create_node(node)
        except ApiException as err:
            if err.status != 409:  # already there: up is idempotent
                raise HarnessError(f"cluster: creating node {node['metadata']['name']} failed: {err.reason}") from None
    return len(wanted)


def ready_nodes(api: client.ApiClient) -> int:
    ready = 0
    for node in client.CoreV1Api(api).list_node(label_selector="type=kwok").items:
        if any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or []):
            ready += 1
    return ready


def wait_ready(api: client.ApiClient, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (ready := ready_nodes(api)) < count:
        if time.monotonic() > deadline:
            raise HarnessError(f"cluster: only {ready}/{count} nodes Ready after {timeout:.0f} s (kwok controller running?)")
        time.sleep(0.5)


def release_leases(api: client.ApiClient, nodes_file: Path, timeout: float = 120) -> int:
    """Hand the simulated nodes' Leases back to the running kwok: delete them and wait until kwok has
    created its own. Leases restored from an etcd snapshot name the kwok instance that was running
    when it was taken, and the new instance left those nodes' pods alone (deleted pods stayed
    Terminating for minutes); after the deletion it creates its own within about 50 s, on its own
    retry clock. Returns how many leases kwok holds again."""
    leases = client.CoordinationV1Api(api)
    names = [node["metadata"]["name"] for node in node_manifests(nodes_file)]
    for name in names:
        try:
            leases.delete_namespaced_lease(name, "kube-node-lease")
        except ApiException as err:
            if err.status != 404:
                raise HarnessError(f"cluster: deleting the lease of node {name} failed: {err.reason}") from None
    deadline = time.monotonic() + timeout
    held = 0
    while (held := len([i for i in leases.list_namespaced_lease("kube-node-lease").items
                        if i.metadata.name in names])) < len(names):
        if time.monotonic() > deadline:
            raise HarnessError(f"cluster: kwok took back only {held}/{len(names)} node leases after {timeout:.0f} s")
        time.sleep(0.2)
    return held
