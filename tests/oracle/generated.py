"""Hypothesis strategies for small worlds (namespaces, labelled pods with named ports, two outside
addresses) and policy sets that the API server accepts, written the many ways a manifest can say
the same thing: fields absent, null or empty, named ports, ranges, ipBlocks with except,
namespaceSelector beside podSelector. What the oracle cannot answer correctly is never drawn:
NotIn only on keys every object carries (see tools/netpol-oracle)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from harness.core.manifests import K8sObject, Manifests
from harness.policy.intended import PortSpec
from harness.policy.netpol import Endpoint

NAMESPACES = ("a", "b", "c")
# Every pod has `app`, every namespace `team` (and the API server's metadata.name): the NotIn keys.
POD_LABELS = {"app": ("web", "db", "job"), "tier": ("front", "back")}
NAMESPACE_LABELS = {"team": ("red", "blue"), "env": ("prod", "dev")}
PORTS = (PortSpec(80, "TCP", "http"), PortSpec(8080, "TCP", "http"), PortSpec(443, "TCP", "https"),
         PortSpec(53, "UDP", "dns"), PortSpec(53, "TCP", "dns-tcp"), PortSpec(5432, "TCP", "db"),
         PortSpec(9000, "SCTP", "sctp"))
OUTSIDE = ("192.0.2.10", "198.51.100.7")
OUTSIDE_PORTS = ((80, "TCP"), (443, "TCP"), (53, "UDP"))
UNLISTENED = (9999, "TCP")  # a port no pod declares: only numbers, ranges and "every port" reach it

CIDRS = ("0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.0.2/32", "192.0.2.0/24", "198.51.100.0/24")
EXCEPTS = ("10.0.0.0/24", "10.0.1.0/25", "10.0.0.2/32", "10.0.2.0/24", "192.0.2.0/28", "198.51.100.7/32")
RULE_PORTS = (53, 80, 443, 5432, 8080, 9000, 9999)
PORT_NAMES = ("http", "https", "dns", "dns-tcp", "db", "nope")
ABSENT = object()  # a field left out, as opposed to written as null


@dataclass(frozen=True)
class World:
    endpoints: tuple[Endpoint, ...]  # pods first, then the outside addresses


def often(main: st.SearchStrategy, *others: st.SearchStrategy) -> st.SearchStrategy:
    """`main` seven times in ten, else one of `others` (one_of alone would give each an equal share)."""
    return st.integers(0, 9).flatmap(lambda n: main if n < 7 or not others else others[n % len(others)])


def optional(value: st.SearchStrategy, *, empty: Any = ABSENT) -> st.SearchStrategy:
    """A field's value (most often), or the field absent, or null (and the empty form, if it has one)."""
    return often(value, st.just(ABSENT), st.just(None), *([] if empty is ABSENT else [st.just(empty)]))


def build(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not ABSENT}


@st.composite
def worlds(draw) -> World:
    names = draw(st.lists(st.sampled_from(NAMESPACES), min_size=1, max_size=3, unique=True))
    endpoints = []
    for n, namespace in enumerate(names):
        ns_labels = {"kubernetes.io/metadata.name": namespace, "team": draw(st.sampled_from(NAMESPACE_LABELS["team"]))}
        if draw(st.booleans()):
            ns_labels["env"] = draw(st.sampled_from(NAMESPACE_LABELS["env"]))
        for p in range(draw(st.integers(1, 2))):
            labels = {"app": draw(st.sampled_from(POD_LABELS["app"]))}
            if draw(st.booleans()):
                labels["tier"] = draw(st.sampled_from(POD_LABELS["tier"]))
            # container port names and (port, protocol) pairs are unique within a pod
            ports = draw(st.lists(st.sampled_from(PORTS), min_size=1, max_size=3,
                                  unique_by=(lambda x: x.name, lambda x: (x.port, x.protocol))))
            endpoints.append(Endpoint(f"pod{p}", ipaddress.IPv4Address(f"10.0.{n}.{p + 2}"), namespace,
                                      tuple(sorted(labels.items())), tuple(sorted(ns_labels.items())), tuple(ports)))
    endpoints += [Endpoint(f"outside{i}", ipaddress.IPv4Address(a)) for i, a in enumerate(OUTSIDE)]
    return World(tuple(endpoints))


def selectors(labels: dict[str, tuple[str, ...]], not_in_keys: tuple[str, ...]) -> st.SearchStrategy:
    def values(key: str) -> st.SearchStrategy:
        return st.lists(st.sampled_from(labels[key]), min_size=1, max_size=2, unique=True)

    expression = st.one_of(
        st.sampled_from(tuple(labels)).flatmap(
            lambda k: st.builds(lambda vs: {"key": k, "operator": "In", "values": vs}, values(k))),
        st.sampled_from(not_in_keys).flatmap(
            lambda k: st.builds(lambda vs: {"key": k, "operator": "NotIn", "values": vs}, values(k))),
        st.builds(lambda k, op: {"key": k, "operator": op}, st.sampled_from(tuple(labels)),
                  st.sampled_from(("Exists", "DoesNotExist"))),
    )
    pair = st.sampled_from(tuple(labels)).flatmap(lambda k: st.tuples(st.just(k), st.sampled_from(labels[k])))
    match_labels = st.lists(pair, min_size=1, max_size=2, unique_by=lambda kv: kv[0]).map(dict)
    return st.builds(build, matchLabels=optional(match_labels, empty={}),
                     matchExpressions=optional(st.lists(expression, min_size=1, max_size=2), empty=[]))


POD_SELECTORS = selectors(POD_LABELS, ("app",))
NAMESPACE_SELECTORS = selectors({**NAMESPACE_LABELS, "kubernetes.io/metadata.name": NAMESPACES},
                                ("team", "kubernetes.io/metadata.name"))


@st.composite
def ip_blocks(draw) -> dict[str, Any]:
    cidr = draw(st.sampled_from(CIDRS))
    network = ipaddress.ip_network(cidr)
    inside = [e for e in EXCEPTS if (n := ipaddress.ip_network(e)).subnet_of(network) and n != network]
    excepts = draw(optional(st.lists(st.sampled_from(inside), min_size=1, max_size=2, unique=True), empty=[])
                   if inside else st.just(ABSENT))
    return {"cidr": cidr, **build(**{"except": excepts})}


@st.composite
def peers(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from(("pod", "namespace", "both", "both", "ipBlock", "ipBlock")))
    peer: dict[str, Any] = {}
    if kind in ("pod", "both"):
        peer["podSelector"] = draw(POD_SELECTORS)
    if kind in ("namespace", "both"):
        peer["namespaceSelector"] = draw(NAMESPACE_SELECTORS)
    if kind == "ipBlock":
        peer["ipBlock"] = draw(ip_blocks())
    for field in ("podSelector", "namespaceSelector", "ipBlock"):  # a Helm template's empty value
        if field not in peer and draw(st.booleans()):
            peer[field] = None
    return peer


@st.composite
def policy_ports(draw) -> dict[str, Any]:
    protocol = draw(optional(st.sampled_from(("TCP", "UDP", "SCTP"))))
    kind = draw(st.sampled_from(("number", "range", "name", "none")))
    if kind == "none":
        return build(protocol=protocol, port=draw(st.sampled_from((ABSENT, None))))
    if kind == "name":
        return build(protocol=protocol, port=draw(st.sampled_from(PORT_NAMES)))
    port = draw(st.sampled_from(RULE_PORTS))
    if kind == "number":
        return build(protocol=protocol, port=port, endPort=draw(st.sampled_from((ABSENT, None))))
    return build(protocol=protocol, port=port, endPort=port + draw(st.sampled_from((0, 1, 500, 9000))))


def rules(peers_key: str) -> st.SearchStrategy:
    rule = st.builds(lambda p, ports: build(**{peers_key: p, "ports": ports}),
                     optional(st.lists(peers(), min_size=1, max_size=2), empty=[]),
                     optional(st.lists(policy_ports(), min_size=1, max_size=2), empty=[]))
    return often(rule, st.just(None))  # `- ` alone in a list: a rule with every field absent


@st.composite
def policy_sets(draw, world: World) -> list[K8sObject]:
    namespaces = sorted({e.namespace for e in world.endpoints if e.in_cluster})
    docs = []
    for i in range(draw(st.integers(1, 3))):
        types = draw(optional(st.sampled_from((["Ingress"], ["Egress"], ["Ingress", "Egress"], ["Egress", "Ingress"])),
                              empty=[]))
        spec = build(podSelector=draw(st.one_of(POD_SELECTORS, st.just(None))), policyTypes=types,
                     ingress=draw(optional(st.lists(rules("from"), min_size=1, max_size=2), empty=[])),
                     egress=draw(optional(st.lists(rules("to"), min_size=1, max_size=2), empty=[])))
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": {"name": f"p{i}", "namespace": draw(st.sampled_from(namespaces))}, "spec": spec})
    return Manifests.from_documents(docs, "generated", namespaces[0]).of_kind("NetworkPolicy")
