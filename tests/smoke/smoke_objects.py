"""Factories of fake API objects (plain dicts, as the smoke snapshot holds them)."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from typing import Any

import trustme
import yaml

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


def tls_secret(name: str, ca: trustme.CA, *hosts: str, not_after: dt.datetime | None = None) -> Obj:
    leaf = ca.issue_cert(*hosts, not_before=NOW - dt.timedelta(days=1), not_after=not_after or NOW + dt.timedelta(days=90))
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    return {"metadata": {"name": name, "namespace": NS}, "type": "kubernetes.io/tls",
            "data": {"tls.crt": base64.b64encode(chain).decode(), "tls.key": ""}}
