"""Helpers shared by check families: replica counts, HPA lookup, serving workloads."""

from __future__ import annotations

from typing import Any

from .fields import get_or
from .manifests import K8sObject, Manifests, PodTemplate

SERVING_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def hpa_for(workload: K8sObject, manifests: Manifests) -> K8sObject | None:
    for hpa in manifests.of_kind("HorizontalPodAutoscaler"):
        target = hpa.spec.get("scaleTargetRef") or {}
        if (target.get("kind") == workload.kind and target.get("name") == workload.name
                and hpa.namespace == workload.namespace):
            return hpa
    return None


def desired_replicas(workload: K8sObject, manifests: Manifests) -> tuple[int, str]:
    """Replicas the controllers work against, and the field that sets them."""
    hpa = hpa_for(workload, manifests)
    if hpa is not None:
        return int(get_or(hpa.spec, "minReplicas", 1)), f"{hpa.ref} spec.minReplicas"
    return int(get_or(workload.spec, "replicas", 1)), "spec.replicas"


def serving_templates(manifests: Manifests) -> list[PodTemplate]:
    """Pod templates of long-running workloads (Jobs and CronJobs serve nothing)."""
    return [t for t in manifests.pod_templates() if t.owner.kind in SERVING_KINDS]


def is_serving(container: dict[str, Any]) -> bool:
    return bool(container.get("ports"))
