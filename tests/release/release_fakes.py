"""Builders for the release tests: Helm release Secrets and smoke results as the flow sees them."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import yaml

from harness.checks.registry import Check, Needs, Severity, Subject
from harness.checks.run import Outcome


def release_secret(name: str, version: int, status: str) -> dict[str, Any]:
    """A Helm release Secret as the smoke snapshot lists it (labels are all the flow reads)."""
    return {"metadata": {"name": f"sh.helm.release.v1.{name}.v{version}",
                         "labels": {"owner": "helm", "name": name, "version": str(version), "status": status}}}


def helm_release_secret(name: str, version: int, docs: list[dict[str, Any]], config: dict[str, Any] | None = None,
                        status: str = "deployed") -> dict[str, Any]:
    """A release Secret as Helm stores it: base64 (Secret data) of base64 of gzipped JSON, with the
    revision's manifest and the values it was given."""
    payload = gzip.compress(json.dumps({"manifest": yaml.safe_dump_all(docs), "config": config or {}}).encode())
    secret = release_secret(name, version, status)
    secret["data"] = {"release": base64.b64encode(base64.b64encode(payload)).decode()}
    return secret


def smoke_result(passed: bool) -> list[Outcome]:
    check = Check("deployment.rolled-out", "every Deployment rolled out", Severity.ERROR, Subject.SNAPSHOT, Needs.ANY,
                  lambda *a: [])
    findings = [] if passed else [check.finding({"kind": "Deployment", "metadata": {"name": "acme-api"}},
                                                "status.availableReplicas", "1/2")]
    return [Outcome("local/acme", check, findings)]
