"""A NetworkPolicy evaluator (networking.k8s.io/v1 semantics) and the allowed-flow matrix.

Semantics, as the API documents them:
- A pod is isolated for a direction only when some policy in its namespace selects it and
  lists that direction in policyTypes (default: Ingress, plus Egress when egress rules exist:
  `egress: []` or `egress: null` adds nothing).
- An explicit null reads as absent, as the API server reads it (core/fields.py): a null
  namespaceSelector or ipBlock beside a podSelector is no selector at all, a null protocol is TCP.
- An isolated pod admits a connection when ANY rule of ANY selecting policy matches it.
- A connection needs both the source's egress and the destination's ingress to allow it.
- A rule with no peers matches every peer; with no ports, every port.
- podSelector alone means pods of the policy's own namespace; namespaceSelector alone means
  every pod of the selected namespaces; both in one peer means the intersection.
- ipBlock matches addresses in `cidr` and not in any `except`. Whether it matches pod IPs
  depends on the CNI; we assume it does (the stricter reading for an audit).
- A named port resolves against the destination pod's container ports.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Iterator

from ..core.fields import get_or, is_set
from ..core.manifests import K8sObject, Manifests
from ..core.selectors import selector_matches
from .intended import ComponentSpec, IntendedFlows, PortSpec


@dataclass(frozen=True)
class Endpoint:
    """Something that sends or receives traffic: a pod, or an address outside the cluster."""

    name: str
    ip: ipaddress.IPv4Address
    namespace: str | None = None  # None: outside the cluster
    labels: tuple[tuple[str, str], ...] = ()
    namespace_labels: tuple[tuple[str, str], ...] = ()
    ports: tuple[PortSpec, ...] = ()
    workload: K8sObject | None = None
    serves_only: bool = False  # an address behind a selector-less Service: a destination, never a source

    @property
    def in_cluster(self) -> bool:
        return self.namespace is not None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    policy: K8sObject | None = None  # the admitting policy; None when no policy isolates the pod
    rule: str = ""  # field path of the admitting rule, e.g. spec.ingress[0]


class PolicySet:
    def __init__(self, policies: list[K8sObject]) -> None:
        self.policies = policies

    def _selecting(self, pod: Endpoint, direction: str) -> list[K8sObject]:
        return [p for p in self.policies
                if p.namespace == pod.namespace and direction in policy_types(p)
                and selector_matches(get_or(p.spec, "podSelector", {}), dict(pod.labels))]

    def ingress(self, source: Endpoint, target: Endpoint, port: int, protocol: str) -> Verdict:
        return self._decide(target, source, target, port, protocol, "Ingress", "ingress", "from")

    def egress(self, source: Endpoint, target: Endpoint, port: int, protocol: str) -> Verdict:
        return self._decide(source, target, target, port, protocol, "Egress", "egress", "to")

    def _decide(self, subject: Endpoint, peer: Endpoint, target: Endpoint, port: int, protocol: str,
                direction: str, rules_key: str, peers_key: str) -> Verdict:
        if not subject.in_cluster:
            return Verdict(True)  # no NetworkPolicy governs things outside the cluster
        selecting = self._selecting(subject, direction)
        if not selecting:
            return Verdict(True)
        for policy in selecting:
            for index, rule in enumerate(get_or(policy.spec, rules_key, [])):
                if (_peers_match(get_or(rule, peers_key), peer, policy.namespace)
                        and _ports_match(get_or(rule, "ports"), port, protocol, target)):
                    return Verdict(True, policy, f"spec.{rules_key}[{index}]")
        return Verdict(False, selecting[0])


def policy_types(policy: K8sObject) -> list[str]:
    declared = get_or(policy.spec, "policyTypes")
    if declared:
        return list(declared)
    # The API server's defaulting: Egress only when there is at least one egress rule.
    return ["Ingress", "Egress"] if get_or(policy.spec, "egress") else ["Ingress"]


def _peers_match(peers: list[dict[str, Any]] | None, peer: Endpoint, policy_namespace: str) -> bool:
    if not peers:
        return True
    return any(_peer_matches(p, peer, policy_namespace) for p in peers)


def _peer_matches(rule_peer: dict[str, Any] | None, peer: Endpoint, policy_namespace: str) -> bool:
    if is_set(rule_peer, "ipBlock"):
        block = rule_peer["ipBlock"]
        try:
            inside = peer.ip in ipaddress.ip_network(get_or(block, "cidr", ""), strict=False)
            excluded = any(peer.ip in ipaddress.ip_network(e, strict=False) for e in get_or(block, "except", []))
        except ValueError:
            return False
        return inside and not excluded
    if not peer.in_cluster:
        return False  # pod and namespace selectors only ever select pods
    if is_set(rule_peer, "namespaceSelector"):
        namespace_ok = selector_matches(rule_peer["namespaceSelector"], dict(peer.namespace_labels))
    else:
        namespace_ok = peer.namespace == policy_namespace
    pod_ok = selector_matches(get_or(rule_peer, "podSelector", {}), dict(peer.labels))
    return namespace_ok and pod_ok


def _ports_match(ports: list[dict[str, Any]] | None, port: int, protocol: str, target: Endpoint) -> bool:
    if not ports:
        return True
    for entry in ports:
        if get_or(entry, "protocol", "TCP") != protocol:
            continue
        wanted = get_or(entry, "port")
        if wanted is None:
            return True
        if isinstance(wanted, int):
            if wanted == port or wanted <= port <= int(get_or(entry, "endPort", wanted)):
                return True
        elif any(p.name == wanted and p.port == port and p.protocol == protocol for p in target.ports):
            return True
    return False


def resolve_endpoints(intended: IntendedFlows, manifests: Manifests) -> dict[str, list[Endpoint]]:
    """Every component of the contract as concrete endpoints found in (or modelled beside) the render."""
    addresses = _address_pool(intended)
    namespace_labels = _namespace_labels(manifests)
    endpoints: dict[str, list[Endpoint]] = {}
    for spec in (*intended.components, *intended.probes):
        found = _component_endpoints(spec, manifests, namespace_labels, addresses)
        if found:
            endpoints[spec.name] = found
    return endpoints


def _component_endpoints(spec: ComponentSpec, manifests: Manifests, namespace_labels, addresses) -> list[Endpoint]:
    if spec.address:
        return [Endpoint(spec.name, ipaddress.IPv4Address(spec.address), ports=spec.ports)]
    labels = dict(spec.pod_labels)
    ns_labels = lambda ns: tuple(sorted(namespace_labels.get(ns, {"kubernetes.io/metadata.name": ns}).items()))
    if not spec.rendered:
        return [Endpoint(spec.name, next(addresses), spec.namespace, spec.pod_labels, ns_labels(spec.namespace),
                         spec.ports)]
    found = []
    for template in manifests.pod_templates():
        owner = template.owner
        if owner.namespace == spec.namespace and all(template.labels.get(k) == v for k, v in labels.items()):
            ports = tuple(PortSpec(p["containerPort"], get_or(p, "protocol", "TCP"), get_or(p, "name", ""))
                          for c, _ in template.containers(include_init=False) for p in get_or(c, "ports", [])
                          if is_set(p, "containerPort"))
            found.append(Endpoint(spec.name, next(addresses), owner.namespace,
                                  tuple(sorted((k, str(v)) for k, v in template.labels.items())),
                                  ns_labels(owner.namespace), ports, owner))
    if not found and spec.external_service:
        found = list(_external_service_endpoints(spec, manifests))
    return found


def _external_service_endpoints(spec: ComponentSpec, manifests: Manifests) -> Iterator[Endpoint]:
    """Addresses behind a selector-less Service (the database outside the cluster)."""
    for slice_obj in manifests.of_kind("EndpointSlice"):
        if slice_obj.labels.get("kubernetes.io/service-name") != spec.external_service:
            continue
        ports = tuple(PortSpec(get_or(p, "port", 0), get_or(p, "protocol", "TCP"), get_or(p, "name", ""))
                      for p in get_or(slice_obj.doc, "ports", []))
        for endpoint in get_or(slice_obj.doc, "endpoints", []):
            for address in get_or(endpoint, "addresses", []):
                try:
                    yield Endpoint(spec.name, ipaddress.IPv4Address(address), ports=ports, workload=slice_obj,
                                   serves_only=True)
                except ValueError:
                    continue


def _namespace_labels(manifests: Manifests) -> dict[str, dict[str, str]]:
    known = {}
    for namespace in manifests.of_kind("Namespace"):
        labels = {str(k): str(v) for k, v in namespace.labels.items()}
        labels["kubernetes.io/metadata.name"] = namespace.name  # set by the API server, always
        known[namespace.name] = labels
    return known


def _address_pool(intended: IntendedFlows) -> Iterator[ipaddress.IPv4Address]:
    return iter(intended.pod_cidr.hosts())


@dataclass(frozen=True)
class FlowResult:
    source: Endpoint
    target: Endpoint
    port: int
    protocol: str
    egress: Verdict
    ingress: Verdict

    @property
    def allowed(self) -> bool:
        return self.egress.allowed and self.ingress.allowed


def candidate_ports(target: Endpoint, everything: list[Endpoint], intended: IntendedFlows) -> set[tuple[int, str]]:
    """Ports worth probing: what an in-cluster pod listens on; for an outside address, any port we know of."""
    if target.in_cluster or target.serves_only:
        return {(p.port, p.protocol) for p in target.ports}
    ports = {(p.port, p.protocol) for e in everything for p in e.ports}
    ports |= {(f.port, f.protocol) for f in intended.flows} | {(443, "TCP"), (80, "TCP")}
    return ports


def flow_matrix(intended: IntendedFlows, manifests: Manifests) -> list[FlowResult]:
    """Every (source, target, port) with both verdicts, for flows that touch our namespace.

    Flows between two neighbours (edge -> internet, monitoring -> dns) are theirs to govern,
    so only pairs with at least one end in a namespace where Acme pods run are evaluated.
    """
    endpoints = resolve_endpoints(intended, manifests)
    everything = [e for group in endpoints.values() for e in group]
    ours = {e.namespace for name, group in endpoints.items() if (spec := intended.component(name)) and spec.rendered
            for e in group if e.in_cluster}
    policies = PolicySet(manifests.of_kind("NetworkPolicy"))
    results = []
    for source in everything:
        for target in everything:
            if source.serves_only or source.name == target.name:
                continue
            # An address outside the cluster is ours to guard only on our own pods' egress.
            touches_ours = source.namespace in ours or (target.namespace in ours and not target.serves_only)
            if not touches_ours:
                continue
            for port, protocol in sorted(candidate_ports(target, everything, intended)):
                results.append(FlowResult(source, target, port, protocol,
                                          policies.egress(source, target, port, protocol),
                                          policies.ingress(source, target, port, protocol)))
    return results
