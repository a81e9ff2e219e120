"""Host-level facts of the local cluster, checked with testinfra's local backend."""

from __future__ import annotations

import json
import os

import pytest
import testinfra
from kubernetes import client

from harness.deploy.cluster.settings import BINARY_FLAGS

pytestmark = pytest.mark.e2e

# Process names as the kernel shortens them (15 characters).
PROCESSES = ("etcd", "kube-apiserver", "kube-controller", "kube-scheduler", "kwok-controller")


@pytest.fixture(scope="module")
def host() -> testinfra.host.Host:
    return testinfra.get_host("local://")


def test_api_server_listens_on_loopback_only(host, cluster):
    assert host.socket(f"tcp://127.0.0.1:{cluster.port}").is_listening
    assert not host.socket(f"tcp://0.0.0.0:{cluster.port}").is_listening


@pytest.mark.parametrize("name", PROCESSES, ids=PROCESSES)
def test_control_plane_process_runs_from_the_project_workdir(host, cluster, name):
    procs = host.process.filter(comm=name)
    assert procs, f"{name} not running"
    assert any(str(cluster.workdir) in p.args for p in procs)


def test_kubeconfig_is_owner_only(host, cluster):
    kubeconfig = host.file(str(cluster.kubeconfig))
    assert kubeconfig.mode == 0o600
    assert host.file(str(cluster.kubeconfig.parent)).mode == 0o700
    # kwokctl's PKI (the admin key among it) sits under the work directory.
    assert host.file(str(cluster.workdir)).mode == 0o700


@pytest.mark.parametrize("name", sorted(BINARY_FLAGS), ids=sorted(BINARY_FLAGS))
def test_control_plane_binaries_are_the_pinned_ones(host, cluster, name):
    # kwokctl links each binary it runs into the cluster's bin/ (kwok as kwok-controller).
    linked = cluster.workdir / "clusters" / cluster.name / "bin" / ("kwok-controller" if name == "kwok" else name)
    assert host.file(str(linked)).linked_to == str(cluster.binary(name).resolve())


def test_kubectl_and_server_are_the_pinned_kubernetes(host, cluster):
    version = json.loads(host.check_output(f"{cluster.binary('kubectl')} --kubeconfig {cluster.kubeconfig} version -o json"))
    assert version["serverVersion"]["gitVersion"] == version["clientVersion"]["gitVersion"]
    assert version["serverVersion"]["gitVersion"].startswith("v1.36.")


def test_kwokctl_is_pinned(host, cluster):
    assert "0.8.0" in host.check_output(f"{cluster.binary('kwokctl')} --version")


def test_api_container_runs_as_non_root(api):
    """In-pod check through testinfra's kubectl backend; it needs containers that run."""
    if os.environ.get("ACME_DATA_PLANE") != "1":
        pytest.skip("skipped: no data plane (kwok pods run no containers; set ACME_DATA_PLANE=1 on a real cluster)")
    pod = client.CoreV1Api(api).list_namespaced_pod("acme", label_selector="app.kubernetes.io/component=api").items[0]
    inside = testinfra.get_host(f"kubectl://{pod.metadata.name}?container=api&namespace=acme")
    assert inside.user().uid != 0
