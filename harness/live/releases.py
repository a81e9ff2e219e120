"""Helm releases as stored in the cluster: one Secret per revision (labels name/version/status)."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from typing import Any

import yaml

from .snapshot import Obj


@dataclass(frozen=True)
class Revision:
    name: str
    version: int
    status: str
    secret: Obj

    def _payload(self) -> dict[str, Any]:
        """The release record helm stored for this revision (base64 of gzipped JSON)."""
        payload = base64.b64decode(base64.b64decode(self.secret["data"]["release"]))
        if payload[:2] == b"\x1f\x8b":
            payload = gzip.decompress(payload)
        return json.loads(payload)

    def manifest(self) -> list[dict[str, Any]]:
        """The manifest helm applied at this revision."""
        text = self._payload().get("manifest", "")
        return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if isinstance(d, dict)]

    def config(self) -> dict[str, Any]:
        """The values given at this revision (every values file merged; the chart's defaults not included)."""
        return self._payload().get("config") or {}

    def chart_version(self) -> str:
        """The version of the chart this revision installed."""
        return str(((self._payload().get("chart") or {}).get("metadata") or {}).get("version", ""))


def revisions(secrets: list[Obj]) -> dict[str, list[Revision]]:
    """release name -> revisions, newest first."""
    found: dict[str, list[Revision]] = {}
    for secret in secrets:
        labels = secret["metadata"].get("labels", {})
        if labels.get("owner") != "helm" or not labels.get("version", "").isdigit():
            continue
        found.setdefault(labels["name"], []).append(
            Revision(labels["name"], int(labels["version"]), labels.get("status", ""), secret))
    for revs in found.values():
        revs.sort(key=lambda r: r.version, reverse=True)
    return found


def deployed_manifests(secrets: list[Obj]) -> list[dict[str, Any]]:
    """Every object of the currently deployed revision of every release."""
    docs: list[dict[str, Any]] = []
    for revs in revisions(secrets).values():
        current = next((r for r in revs if r.status == "deployed"), None)
        if current is not None:
            docs += current.manifest()
    return docs
