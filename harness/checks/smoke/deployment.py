"""Deployments fully rolled out."""

from __future__ import annotations

from typing import Iterable

from ..registry import Check, Finding, smoke_check
from ...live.releases import deployed_manifests
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


@smoke_check("deployment.rolled-out", "every released Deployment exists with all replicas updated and available")
def deployment_rolled_out(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for doc in deployed_manifests(snap.release_secrets):
        if doc.get("kind") == "Deployment" and snap.named(snap.deployments, doc["metadata"]["name"]) is None:
            yield check.finding(doc, "metadata.name", "released Deployment missing from the cluster")
    for dep in snap.deployments:
        spec, status = dep.get("spec", {}), dep.get("status", {})
        want = spec.get("replicas", 1)
        if status.get("observedGeneration", 0) < dep["metadata"].get("generation", 0):
            yield check.finding(dep, "status.observedGeneration", "controller has not seen the latest spec", "Deployment")
        for field in ("updatedReplicas", "availableReplicas", "readyReplicas"):
            if status.get(field, 0) < want:
                yield check.finding(dep, f"status.{field}", f"{status.get(field, 0)}/{want}", "Deployment")
        if status.get("replicas", 0) > want:
            yield check.finding(dep, "status.replicas", f"{status['replicas']} pods for {want} replicas: old pods remain",
                                "Deployment")
        for cond in status.get("conditions", []):
            if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
                yield check.finding(dep, "status.conditions[Progressing]", "progress deadline exceeded", "Deployment")
