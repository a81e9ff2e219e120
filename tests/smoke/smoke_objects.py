"""Factories of fake API objects (plain dicts, as the smoke snapshot holds them)."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from typing import Any

import trustme
import yaml

from harness.live.snapshot import Snapshot

NS = "acme"
NOW = dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.timezone.utc)
Obj = dict[str, Any]


def meta(name: str, **labels: str) -> Obj:
    return {"name": name, "namespace": NS, "generation": 1, "creationTimestamp": "2026-11-26T06:00:00Z",
            "labels": {"app.kubernetes.io/part-of": "acme", **labels}}


def release_secret(name: str, version: int, status: str, docs: list[Obj]) -> Obj:
    """Encoded the way Helm stores a release: base64(gzip(JSON)), then base64 again by the Secret."""
    payload = json.dumps({"name": name, "version": version, "manifest": yaml.safe_dump_all(docs)}).encode()
    data = base64.b64encode(base64.b64encode(gzip.compress(payload))).decode()
    return {"metadata": {"name": f"sh.helm.release.v1.{name}.v{version}", "namespace": NS,
                         "labels": {"owner": "helm", "name": name, "version": str(version), "status": status}},
            "data": {"release": data}}


def pod(name: str, component: str, phase: str = "Running", ready: bool = True) -> Obj:
    return {"metadata": meta(name, **{"app.kubernetes.io/component": component}),
            "status": {"phase": phase, "containerStatuses": [{"name": "app", "ready": ready, "restartCount": 0,
                                                              "state": {"running": {}}}]}}


def service(name: str, component: str, type_: str = "ClusterIP") -> Obj:
    return {"metadata": meta(name, **{"app.kubernetes.io/component": component}),
            "spec": {"type": type_, "selector": {"app.kubernetes.io/component": component}}}


def endpoint_slice(service_name: str, ready: bool = True) -> Obj:
    return {"metadata": {"name": f"{service_name}-abcde", "namespace": NS,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": ready}}]}


def tls_secret(name: str, ca: trustme.CA, *hosts: str, not_after: dt.datetime | None = None,
               not_before: dt.datetime | None = None) -> Obj:
    leaf = ca.issue_cert(*hosts, not_before=not_before or NOW - dt.timedelta(days=1),
                         not_after=not_after or NOW + dt.timedelta(days=90))
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    return {"metadata": {"name": name, "namespace": NS}, "type": "kubernetes.io/tls",
            "data": {"tls.crt": base64.b64encode(chain).decode(), "tls.key": ""}}


def healthy_snapshot(ca: trustme.CA) -> Snapshot:
    """An environment on which every API-level smoke check passes; tests break one thing each.

    The live objects carry no kind, as the items of the API's list responses do not; the release's
    manifests do."""
    deployment = {"metadata": meta("acme-api", **{"app.kubernetes.io/component": "api"}),
                  "spec": {"replicas": 3},
                  "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                             "availableReplicas": 3, "conditions": [
                                 {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}
    hpa = {"metadata": meta("acme-api"),
           "spec": {"minReplicas": 3, "maxReplicas": 10, "scaleTargetRef": {"kind": "Deployment", "name": "acme-api"}}}
    pdb = {"metadata": meta("acme-api"),
           "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2}}
    deny = {"metadata": meta("acme-default-deny"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    api_policy = {"metadata": meta("acme-api"),
                  "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                           "policyTypes": ["Ingress"], "ingress": [{}]}}
    api_svc, db_svc = service("acme-api", "api"), service("acme-db", "database")
    ingress = {"metadata": meta("acme-api"),
               "spec": {"tls": [{"hosts": ["api.acme.com"], "secretName": "acme-api-tls"}],
                        "rules": [{"host": "api.acme.com", "http": {"paths": [
                            {"path": "/", "backend": {"service": {"name": "acme-api", "port": {"number": 80}}}}]}}]}}
    api_docs = [{"apiVersion": "apps/v1", "kind": "Deployment", **deployment}, {"apiVersion": "v1", "kind": "Service", **api_svc},
                {"kind": "HorizontalPodAutoscaler", **hpa}, {"kind": "PodDisruptionBudget", **pdb},
                {"kind": "NetworkPolicy", **api_policy}, {"kind": "Ingress", **ingress}]
    return Snapshot(
        namespace=NS,
        deployments=[deployment],
        pods=[pod(f"acme-api-{i}", "api") for i in range(3)] + [pod("acme-db-0", "database")],
        services=[api_svc, db_svc],
        endpoint_slices=[endpoint_slice("acme-api"), endpoint_slice("acme-db")],
        pdbs=[pdb], hpas=[hpa], network_policies=[deny, api_policy], ingresses=[ingress],
        tls_secrets=[tls_secret("acme-api-tls", ca, "api.acme.com")],
        release_secrets=[release_secret("acme-platform", 1, "deployed", [{"kind": "NetworkPolicy", **deny}]),
                         release_secret("acme-api", 1, "superseded", api_docs),
                         release_secret("acme-api", 2, "deployed", api_docs),
                         release_secret("acme-ui", 1, "deployed", [])],
        taken_at=NOW,
    )
