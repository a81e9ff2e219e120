"""Every released HPA exists with the released bounds and holds its Deployment inside them."""

from __future__ import annotations

from typing import Iterable

from ..registry import Check, Finding, smoke_check
from ...live.releases import deployed_manifests
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


@smoke_check("hpa.bounds", "every released HPA exists with its min/max, and its Deployment's replicas lie within them")
def hpa_bounds(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for doc in deployed_manifests(snap.release_secrets):
        if doc.get("kind") != "HorizontalPodAutoscaler":
            continue
        live = snap.named(snap.hpas, doc["metadata"]["name"])
        if live is None:
            yield check.finding(doc, "metadata.name", "released HPA missing from the cluster")
            continue
        for field in ("minReplicas", "maxReplicas"):
            want, got = doc["spec"].get(field, 1), live["spec"].get(field, 1)
            if want != got:
                yield check.finding(live, f"spec.{field}", f"{got}, released {want}", "HorizontalPodAutoscaler")
        lo, hi = live["spec"].get("minReplicas", 1), live["spec"]["maxReplicas"]
        target = snap.named(snap.deployments, live["spec"]["scaleTargetRef"]["name"])
        if target is None:
            yield check.finding(live, "spec.scaleTargetRef", "target Deployment not found", "HorizontalPodAutoscaler")
        elif not lo <= target["spec"].get("replicas", 1) <= hi:
            yield check.finding(target, "spec.replicas", f"{target['spec'].get('replicas', 1)} outside [{lo}, {hi}]",
                                "Deployment")
