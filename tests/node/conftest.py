"""Fixtures of the real node's e2e tests: the node (there unless ACME_REAL_NODE=0) and the local
environment deployed onto it by the same helmfile apply as every other deploy."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from harness.deploy.backup import store as backup_store
from harness.deploy.cluster import certs
from harness.deploy.cluster.lifecycle import REAL_NODE_ENV, real_node_wanted
from harness.deploy.cluster.settings import ClusterSettings
from harness.core.project import Project
from harness.deploy.node import lifecycle
from harness.deploy.node.settings import NodeSettings
from harness.deploy.release.deploy import helmfile_apply
from harness.deploy.target import target_for

NAMESPACE = "acme"
# The Deployments and StatefulSets of the local environment that run on the node.
WORKLOADS = (("Deployment", "acme-api"), ("Deployment", "acme-ui"), ("StatefulSet", "acme-db"),
             ("StatefulSet", "acme-metrics"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    wanted = real_node_wanted()
    for item in items:
        if "real_node" in item.fixturenames and not wanted:
            item.add_marker(pytest.mark.skip(reason=f"{REAL_NODE_ENV}=0: the cluster runs without its real node"))


@pytest.fixture(scope="session")
def real_node(cluster: ClusterSettings) -> NodeSettings:
    settings = NodeSettings(cluster)
    assert lifecycle.status(settings).running, "the cluster runs without its real node (root? `harness cluster up` says why)"
    return settings


def _ready(api: client.ApiClient, kind: str, name: str) -> bool:
    apps = client.AppsV1Api(api)
    read = apps.read_namespaced_deployment if kind == "Deployment" else apps.read_namespaced_stateful_set
    obj = read(name, NAMESPACE)
    want = obj.spec.replicas or 0
    return (obj.status.observed_generation or 0) >= obj.metadata.generation and \
        (obj.status.ready_replicas or 0) == want and (obj.status.updated_replicas or 0) == want


@pytest.fixture(scope="session")
def workloads(cluster: ClusterSettings, api: client.ApiClient, real_node: NodeSettings) -> NodeSettings:
    """The local environment on the node (helmfile apply waits for its pods), TLS Secrets issued, the
    backup Jobs' bucket and key pair in the node's object store: what `harness release` adds."""
    project = Project.discover()
    helmfile_apply(project, target_for("local"), cluster.context)
    certs.ensure_tls_secrets(api, NAMESPACE, certs.load_or_create_ca(cluster.tls_ca_dir))
    backup_store.prepare_local(api, NAMESPACE, project)
    deadline = time.monotonic() + 120
    while not all(_ready(api, kind, name) for kind, name in WORKLOADS):
        assert time.monotonic() < deadline, "the local workloads are not ready on the real node after 120 s"
        time.sleep(1)
    return real_node
