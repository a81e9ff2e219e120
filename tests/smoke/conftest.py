"""Fixtures of the smoke unit tests: a CA, default settings and a healthy environment."""

from __future__ import annotations

import pytest
import trustme

from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot
from smoke_objects import NOW, NS, endpoint_slice, meta, pod, release_secret, service, tls_secret


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def settings() -> SmokeSettings:
    return SmokeSettings()


@pytest.fixture
def healthy(ca: trustme.CA) -> Snapshot:
    """An environment on which every API-level smoke check passes; tests break one thing each."""
    deployment = {"kind": "Deployment", "metadata": meta("acme-api", **{"app.kubernetes.io/component": "api"}),
                  "spec": {"replicas": 3},
                  "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                             "availableReplicas": 3, "conditions": [
                                 {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}
    hpa = {"kind": "HorizontalPodAutoscaler", "metadata": meta("acme-api"),
           "spec": {"minReplicas": 3, "maxReplicas": 10, "scaleTargetRef": {"kind": "Deployment", "name": "acme-api"}}}
    pdb = {"kind": "PodDisruptionBudget", "metadata": meta("acme-api"),
           "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2}}
    deny = {"kind": "NetworkPolicy", "metadata": meta("acme-default-deny"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    api_policy = {"kind": "NetworkPolicy", "metadata": meta("acme-api"),
                  "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                           "policyTypes": ["Ingress"], "ingress": [{}]}}
    api_svc, db_svc = service("acme-api", "api"), service("acme-db", "database")
    ingress = {"kind": "Ingress", "metadata": meta("acme-api"),
               "spec": {"tls": [{"hosts": ["api.acme.com"], "secretName": "acme-api-tls"}],
                        "rules": [{"host": "api.acme.com", "http": {"paths": [
                            {"path": "/", "backend": {"service": {"name": "acme-api", "port": {"number": 80}}}}]}}]}}
    api_docs = [{"apiVersion": "apps/v1", **deployment}, {"apiVersion": "v1", "kind": "Service", **api_svc},
                hpa, pdb, api_policy, ingress]
    return Snapshot(
        namespace=NS,
        deployments=[deployment],
        pods=[pod(f"acme-api-{i}", "api") for i in range(3)] + [pod("acme-db-0", "database")],
        services=[api_svc, db_svc],
        endpoint_slices=[endpoint_slice("acme-api"), endpoint_slice("acme-db")],
        pdbs=[pdb], hpas=[hpa], network_policies=[deny, api_policy], ingresses=[ingress],
        tls_secrets=[tls_secret("acme-api-tls", ca, "api.acme.com")],
        release_secrets=[release_secret("acme-platform", 1, "deployed", [deny]),
                         release_secret("acme-api", 1, "superseded", api_docs),
                         release_secret("acme-api", 2, "deployed", api_docs),
                         release_secret("acme-ui", 1, "deployed", [])],
        taken_at=NOW,
    )


