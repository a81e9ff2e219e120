"""Every released HPA exists with the released bounds and holds its Deployment inside them."""

from __future__ import annotations

from typing import Iterable

from ...core.fields import get_or
from ..registry import Check, Finding, smoke_check
from ...live.releases import deployed_manifests
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def hpa_bounds(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for doc in deployed_manifests(snap.release_secrets):
        if doc.get("kind") != "HorizontalPodAutoscaler":
            continue
        live = snap.named(snap.hpas, doc["metadata"]["name"])
        if live is None:
            yield check.finding(doc, "metadata.name", "released HPA missing from the cluster")
            continue
        for name in ("minReplicas", "maxReplicas"):
            want, got = get_or(doc["spec"], name, 1), get_or(live["spec"], name, 1)
            if want != got:
                yield check.finding(live, f"spec.{name}", f"{got}, released {want}", "HorizontalPodAutoscaler")
        lo, hi = get_or(live["spec"], "minReplicas", 1), live["spec"]["maxReplicas"]
        target = snap.named(snap.deployments, live["spec"]["scaleTargetRef"]["name"])
        if target is None:
            yield check.finding(live, "spec.scaleTargetRef", "target Deployment not found", "HorizontalPodAutoscaler")
        elif not lo <= get_or(target["spec"], "replicas", 1) <= hi:
            yield check.finding(target, "spec.replicas", f"{get_or(target['spec'], 'replicas', 1)} outside [{lo}, {hi}]",
                                "Deployment")


smoke_check("hpa.bounds", "every released HPA exists with its min/max, and its Deployment's replicas lie within them",
            hpa_bounds)
