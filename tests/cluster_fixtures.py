"""Cluster fixtures shared by every cluster test (e2e, faults, release, packaging, security):
the local cluster (skip when absent), the deployed releases, helm. Registered once, in
tests/conftest.py, so each session-scoped fixture is built once per run, not once per folder."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client

from harness.deploy.cluster import certs
from harness.deploy.cluster.client import api_client, reachable
from harness.deploy.cluster.settings import ClusterSettings
from harness.core.project import Project
from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.deploy.release.deploy import helmfile_apply
from harness.live.releases import revisions
from harness.core.project import RELEASES
from harness.live.settings import SmokeSettings
from harness.deploy.target import target_for

NAMESPACE = "acme"


@dataclass(frozen=True)
class Helm:
    """The pinned helm, pointed at the local cluster."""

    settings: ClusterSettings

    def __call__(self, *args: str) -> str:
        cmd = [str(self.settings.binary("helm")), *args, "--namespace", NAMESPACE, "--kube-context", self.settings.context]
        done = subprocess.run(cmd, env=self.settings.env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"helm {' '.join(args)} failed: {done.stderr}"
        return done.stdout


@pytest.fixture(scope="session")
def cluster() -> ClusterSettings:
    settings = ClusterSettings.from_env()
    if not settings.kubeconfig.exists() or not reachable(api_client(settings.kubeconfig, settings.context)):
        message = (f"no local cluster reachable on 127.0.0.1:{settings.port} "
                   "(start one with `harness cluster up`, or `make cluster-up`)")
        # `make e2e` starts the cluster itself and sets this: there, a missing cluster is a failure
        if os.environ.get("ACME_REQUIRE_CLUSTER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return settings


@pytest.fixture(scope="session")
def api(cluster: ClusterSettings) -> client.ApiClient:
    return api_client(cluster.kubeconfig, cluster.context)


@pytest.fixture(scope="session")
def helm(cluster: ClusterSettings) -> Helm:
    return Helm(cluster)


@pytest.fixture(scope="session")
def deployed(cluster: ClusterSettings, api: client.ApiClient) -> SmokeSettings:
    """The local environment as `make demo` leaves it; deployed here when a release is missing."""
    installed = revisions(snapshot.load(api, NAMESPACE).release_secrets) if _namespace_exists(api) else {}
    if any(name not in installed for name in RELEASES):
        project = Project.discover()
        helmfile_apply(project, target_for("local"), cluster.context)
    certs.ensure_tls_secrets(api, NAMESPACE, certs.load_or_create_ca(cluster.tls_ca_dir))
    settings = SmokeSettings(namespace=NAMESPACE)
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, NAMESPACE), settings, 120)
    assert not runner.failed(outcomes), "the deployed environment does not pass smoke before the test"
    return settings


def _namespace_exists(api: client.ApiClient) -> bool:
    return any(ns.metadata.name == NAMESPACE for ns in client.CoreV1Api(api).list_namespace().items)


@pytest.fixture(scope="session")
def api_chart() -> Path:
    return Project.discover().charts_dir / "acme-api"
