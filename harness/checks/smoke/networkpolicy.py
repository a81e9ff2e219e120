"""NetworkPolicies in force: the released ones exist, every Acme pod is isolated for ingress, and,
where a real node enforces them, the connections measured on the wire are the contract's.

Without a CNI (the kwok nodes) nothing enforces them, and the API state is what can be checked.
"""

from __future__ import annotations

from typing import Iterable

from .inventory import missing_from_cluster
from ..registry import Check, CheckSkipped, Finding, smoke_check
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


# Said when no measurement was handed over: only the harness's own real node runs the probe pods.
NOT_MEASURED = ("not measured: the on-the-wire matrix needs probe pods on the local cluster's real node "
                "(harness smoke --env local with the node running, make demo)")


def networkpolicy_wire(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    matrix = snap.wire
    if matrix is None or matrix.not_measured:
        raise CheckSkipped(matrix.not_measured if matrix else NOT_MEASURED)
    if not matrix.rows:
        yield check.finding({"metadata": {"name": snap.namespace}}, "", "no pair of the flow matrix was measured: "
                            "no destination had a Ready pod", "Namespace")
    for row in matrix.rows:
        flow = {"metadata": {"name": row.flow}}
        if row.evaluated != row.intended:
            yield check.finding(flow, "evaluator", f"the evaluator {_verdict(row.evaluated)} what the contract "
                                f"{_verdict(row.intended)}", "Flow")
        if row.opened != row.intended:
            met = "opened" if row.opened else f"met {row.measured}"
            yield check.finding(flow, "wire", f"the connection {met} on the wire; the contract "
                                f"{_verdict(row.intended)}", "Flow")


def _verdict(allowed: bool) -> str:
    return "allows" if allowed else "denies"


smoke_check("networkpolicy.wire", "the isolation contract, the evaluator over the rendered policies and connections "
            "opened for real from pods wearing each source's labels agree on every measured pair", networkpolicy_wire)
