"""NetworkPolicies in force: the released ones exist, and every Acme pod is isolated for ingress.

Without a CNI (the kwok cluster) nothing enforces them; the API state is what can be checked.
"""

from __future__ import annotations

from typing import Iterable

from .inventory import missing_from_cluster
from ..registry import Check, Finding, smoke_check
from ...core.fields import get_or
from ...core.selectors import selector_matches
from ...live.settings import SmokeSettings
from ...live.snapshot import Obj, Snapshot


def _isolates_ingress(policy: Obj) -> bool:
    types = get_or(get_or(policy, "spec"), "policyTypes") or ["Ingress"]  # the API's default when unset
    return "Ingress" in types


def networkpolicy_in_force(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    yield from missing_from_cluster(snap, check, "NetworkPolicy", snap.network_policies)
    ingress_policies = [p for p in snap.network_policies if _isolates_ingress(p)]
    for pod in snap.pods:
        labels = get_or(pod["metadata"], "labels", {})
        # spec.podSelector is not optional: null decodes to the empty selector, every pod.
        if not any(selector_matches(get_or(get_or(p, "spec"), "podSelector", {}), labels) for p in ingress_policies):
            yield check.finding(pod, "metadata.labels", "no NetworkPolicy isolates this pod: all ingress allowed", "Pod")


smoke_check("networkpolicy.in-force", "released NetworkPolicies exist and every Acme pod is selected by an ingress policy",
            networkpolicy_in_force)
