"""Deployments fully rolled out."""

from __future__ import annotations

from typing import Iterable

from ...core.fields import get_or
from .inventory import missing_from_cluster
from ..registry import Check, Finding, smoke_check
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def deployment_rolled_out(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    yield from missing_from_cluster(snap, check, "Deployment", snap.deployments)
    for dep in snap.deployments:
        spec, status = get_or(dep, "spec"), get_or(dep, "status")  # get_or reads an absent mapping as empty
        want = get_or(spec, "replicas", 1)
        if get_or(status, "observedGeneration", 0) < get_or(dep["metadata"], "generation", 0):
            yield check.finding(dep, "status.observedGeneration", "controller has not seen the latest spec", "Deployment")
        for name in ("updatedReplicas", "availableReplicas", "readyReplicas"):
            if get_or(status, name, 0) < want:
                yield check.finding(dep, f"status.{name}", f"{get_or(status, name, 0)}/{want}", "Deployment")
        if get_or(status, "replicas", 0) > want:
            yield check.finding(dep, "status.replicas", f"{status['replicas']} pods for {want} replicas: old pods remain",
                                "Deployment")
        for cond in get_or(status, "conditions", []):
            if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
                yield check.finding(dep, "status.conditions[Progressing]", "progress deadline exceeded", "Deployment")


smoke_check("deployment.rolled-out", "every released Deployment exists with all replicas updated and available",
            deployment_rolled_out)
