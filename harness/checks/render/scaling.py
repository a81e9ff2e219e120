"""Horizontal scaling: HPA v2 with sane bounds, and PDBs that still let nodes drain."""

from __future__ import annotations

from ...core.fields import get_or, is_set
from ...core.selectors import selector_matches
from ..registry import check
from ...core.intstr import scaled
from ...core.workloads import SERVING_KINDS, desired_replicas, hpa_for


def hpa_version(scenario, check):
    for hpa in scenario.manifests.of_kind("HorizontalPodAutoscaler"):
        if hpa.api_version != "autoscaling/v2":
            yield check.finding(hpa, "apiVersion", f"{hpa.api_version}, want autoscaling/v2")


check("scaling.hpa-version", "HorizontalPodAutoscalers use autoscaling/v2", hpa_version)


def hpa_bounds(scenario, check):
    for hpa in scenario.manifests.of_kind("HorizontalPodAutoscaler"):
        low, high = int(get_or(hpa.spec, "minReplicas", 1)), int(get_or(hpa.spec, "maxReplicas", 0))
        if low < 1:
            yield check.finding(hpa, "spec.minReplicas", f"minReplicas {low} is below 1")
        if low > high:
            yield check.finding(hpa, "spec.minReplicas", f"minReplicas {low} exceeds maxReplicas {high}")


check("scaling.hpa-bounds", "HPA 1 <= minReplicas <= maxReplicas", hpa_bounds)


def hpa_target(scenario, check):
    for hpa in scenario.manifests.of_kind("HorizontalPodAutoscaler"):
        target = hpa.spec.get("scaleTargetRef") or {}
        if scenario.lookup.get(str(target.get("kind")), str(target.get("name")), hpa.namespace) is None:
            yield check.finding(hpa, "spec.scaleTargetRef",
                                f"{target.get('kind')}/{target.get('name')} is not rendered")


check("scaling.hpa-target", "each HPA scales a workload that is rendered", hpa_target)


def replicas_under_hpa(scenario, check):
    for workload in scenario.manifests.of_kind("Deployment", "StatefulSet"):
        if is_set(workload.spec, "replicas") and hpa_for(workload, scenario.lookup) is not None:
            yield check.finding(workload, "spec.replicas", "set although an HPA manages this workload")


check("scaling.replicas-under-hpa", "a workload under an HPA omits spec.replicas (helm would reset the scale)",
      replicas_under_hpa)


def pdb(scenario, check):
    workloads = scenario.lookup.of_kind(*SERVING_KINDS)
    for budget in scenario.manifests.of_kind("PodDisruptionBudget"):
        if budget.api_version != "policy/v1":
            yield check.finding(budget, "apiVersion", f"{budget.api_version}, want policy/v1")
        selector = get_or(budget.spec, "selector")
        if selector is None:
            # policy/v1: a missing or null selector selects no pods (an empty one selects all).
            yield check.finding(budget, "spec.selector", "no selector: a policy/v1 PDB without one selects no pods")
            continue
        covered = [w for w in workloads if w.namespace == budget.namespace and selector_matches(
            selector, get_or(get_or(get_or(w.spec, "template"), "metadata"), "labels", {}))]
        if not covered:
            yield check.finding(budget, "spec.selector", "selects no rendered workload")
        for workload in covered:
            replicas, source = desired_replicas(workload, scenario.lookup)
            # The disruption controller rounds both percentages up.
            if is_set(budget.spec, "maxUnavailable"):
                allowed, where = scaled(budget.spec["maxUnavailable"], replicas, round_up=True), "spec.maxUnavailable"
            else:
                minimum = scaled(get_or(budget.spec, "minAvailable", 1), replicas, round_up=True)
                allowed, where = replicas - minimum, "spec.minAvailable"
            if allowed < 1:
                yield check.finding(budget, where, f"allows {allowed} disruptions of {workload.ref} at "
                                                   f"{replicas} replicas ({source}): node drains would block")


check("scaling.pdb", "each PDB (policy/v1) selects pods and allows at least one disruption at minReplicas", pdb)
