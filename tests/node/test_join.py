"""The real node joined to the local control plane: kubelet registers it Ready, and a pod runs on
it from the locally built pause image, inside the project's cgroup parent and pod network.
Part of a root `make e2e` (or `make cluster-up`, then `pytest -m e2e tests/node`)."""

from __future__ import annotations

import ipaddress
import time
from typing import Iterator

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from harness.deploy.node import agents, cgroups, daemons, join
from harness.deploy.node.settings import NodeSettings

pytestmark = pytest.mark.e2e
NAMESPACE = "default"


@pytest.fixture(scope="module")
def node(real_node: NodeSettings) -> NodeSettings:
    return real_node


def test_real_node_is_ready_and_simulated_nodes_stay_kwoks(api: client.ApiClient, node: NodeSettings) -> None:
    assert agents.node_ready(api, node.name)
    real = client.CoreV1Api(api).read_node(node.name)
    assert real.status.node_info.kubelet_version == f"v{node.cluster.project.kube_version}"
    assert real.status.node_info.container_runtime_version == "containerd://2.3.7"
    assert [a.address for a in real.status.addresses if a.type == "InternalIP"] == [node.node_ip]
    assert "kwok.x-k8s.io/node" not in (real.metadata.annotations or {})
    # Only what asks for the real node lands there.
    assert [(t.key, t.value, t.effect) for t in real.spec.taints or []] == [tuple(agents.NODE_TAINT.values())]


@pytest.fixture
def pause_pod(api: client.ApiClient, node: NodeSettings) -> Iterator[client.V1Pod]:
    core = client.CoreV1Api(api)
    name = f"acme-pause-{int(time.time())}"
    body = {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {"nodeSelector": agents.NODE_LABELS, "tolerations": [agents.NODE_TOLERATION],
                 "terminationGracePeriodSeconds": 0,
                 "containers": [{"name": "pause", "image": agents.local_images(node)["pause"].ref,
                                 "imagePullPolicy": "Never",
                                 "securityContext": {"runAsNonRoot": True, "runAsUser": 65535,
                                                     "allowPrivilegeEscalation": False,
                                                     "capabilities": {"drop": ["ALL"]},
                                                     "seccompProfile": {"type": "RuntimeDefault"}}}]},
    }
    core.create_namespaced_pod(NAMESPACE, body)
    deadline = time.monotonic() + 60
    while (pod := core.read_namespaced_pod(name, NAMESPACE)).status.phase != "Running":
        assert time.monotonic() < deadline, f"pod {name} not Running after 60 s: {pod.status}"
        time.sleep(0.5)
    yield pod
    try:
        core.delete_namespaced_pod(name, NAMESPACE, grace_period_seconds=0)
    except ApiException as err:
        assert err.status == 404


def test_pod_runs_in_the_pod_network_and_the_projects_cgroup(pause_pod: client.V1Pod, node: NodeSettings) -> None:
    assert pause_pod.spec.node_name == node.name
    assert ipaddress.IPv4Address(pause_pod.status.pod_ip) in node.pod_network
    assert cgroups.tasks(node.cgroup_parent), f"no process under the cgroup parent {node.cgroup_parent}"


def test_joining_again_keeps_every_daemon_running(api: client.ApiClient, node: NodeSettings) -> None:
    """`cluster up` is idempotent: a second join restarts nothing (kube-proxy exits when its
    configuration file is written, even with the same content)."""
    names = ("containerd", "kubelet", "kube-proxy", "kube-router")
    before = {name: daemons.pid_of(node, name) for name in names}
    join.join(node, api)
    time.sleep(2)  # kube-proxy's file watch acts within milliseconds of a write
    assert {name: daemons.pid_of(node, name) for name in names} == before
