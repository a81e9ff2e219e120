"""Table tests of the NetworkPolicy evaluator and the isolation checks built on it."""

from __future__ import annotations

import ipaddress

import pytest

import factories as f
from checking import refs, run_check
from harness.core.manifests import Manifests
from harness.policy.netpol import Endpoint, PolicySet
from harness.policy.intended import PortSpec


def pod(name: str, namespace: str | None = "acme", ip: str = "10.244.0.10", ports=(PortSpec(8080, "TCP", "http"),),
        **labels: str) -> Endpoint:
    ns_labels = (("kubernetes.io/metadata.name", namespace),) if namespace else ()
    return Endpoint(name, ipaddress.IPv4Address(ip), namespace, tuple(sorted(labels.items())), ns_labels, ports)


API = pod("api", ip="10.244.0.2", component="api")
DB = pod("db", ip="10.244.0.3", ports=(PortSpec(5432, "TCP", "postgresql"),), component="database")
EDGE = pod("edge", namespace="traefik", ip="10.244.1.5", **{"app.kubernetes.io/name": "traefik"})
INTERNET = Endpoint("internet", ipaddress.IPv4Address("203.0.113.10"))

ALL = {}
DB_ONLY = {"matchLabels": {"component": "database"}}
FROM_API = [{"from": [{"podSelector": {"matchLabels": {"component": "api"}}}], "ports": [{"port": 5432}]}]


def policies(*docs) -> PolicySet:
    return PolicySet(Manifests.from_documents(list(docs), "acme-platform", "acme").of_kind("NetworkPolicy"))


# (id, policies, source, target, port, protocol, allowed)
INGRESS_CASES = [
    ("no-policy-allows-all", [], EDGE, DB, 5432, "TCP", True),
    ("default-deny-ingress", [f.network_policy("deny", ALL, types=["Ingress"])], API, DB, 5432, "TCP", False),
    ("empty-ingress-list-denies", [f.network_policy("deny", ALL, ingress=[])], API, DB, 5432, "TCP", False),
    ("podSelector-same-namespace", [f.network_policy("db", DB_ONLY, ingress=FROM_API)], API, DB, 5432, "TCP", True),
    ("podSelector-other-pod-denied", [f.network_policy("db", DB_ONLY, ingress=FROM_API)], EDGE, DB, 5432, "TCP", False),
    ("wrong-port-denied", [f.network_policy("db", DB_ONLY, ingress=FROM_API)], API, DB, 5433, "TCP", False),
    ("wrong-protocol-denied", [f.network_policy("db", DB_ONLY, ingress=FROM_API)], API, DB, 5432, "UDP", False),
    ("named-port-resolves", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": "postgresql"}]}])],
     API, DB, 5432, "TCP", True),
    ("named-port-other-number-denied", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": "postgresql"}]}])],
     API, DB, 5433, "TCP", False),
    ("named-port-other-protocol-denied", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": "postgresql",
                                                                                             "protocol": "UDP"}]}])],
     API, DB, 5432, "UDP", False),
    ("named-port-unknown", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": "pg"}]}])],
     API, DB, 5432, "TCP", False),
    ("endPort-range", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5000, "endPort": 6000}]}])],
     API, DB, 5432, "TCP", True),
    ("podSelector-does-not-cross-namespaces",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}]}])],
     EDGE, DB, 5432, "TCP", False),
    ("namespaceSelector-and-podSelector",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{
         "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}]}])], EDGE, DB, 5432, "TCP", True),
    ("namespaceSelector-and-podSelector-other-pod-of-that-namespace-denied",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{
         "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}]}])],
     pod("intruder", namespace="traefik", ip="10.244.1.6", app="intruder"), DB, 5432, "TCP", False),
    ("namespaceSelector-empty-means-all-namespaces",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"namespaceSelector": {}}]}])], EDGE, DB, 5432, "TCP", True),
    ("namespaceSelector-never-matches-outside",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"namespaceSelector": {}}]}])], INTERNET, DB, 5432, "TCP", False),
    ("matchExpressions-In",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"podSelector": {"matchExpressions": [
         {"key": "component", "operator": "In", "values": ["api", "backup"]}]}}]}])], API, DB, 5432, "TCP", True),
    ("matchExpressions-NotIn",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"podSelector": {"matchExpressions": [
         {"key": "component", "operator": "NotIn", "values": ["api"]}]}}]}])], API, DB, 5432, "TCP", False),
    ("ipBlock-internet", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])],
     INTERNET, DB, 5432, "TCP", True),
    ("ipBlock-except", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {
        "cidr": "0.0.0.0/0", "except": ["203.0.113.0/24"]}}]}])], INTERNET, DB, 5432, "TCP", False),
    ("ipBlock-covers-pod-ips", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {"cidr": "10.244.0.0/16"}}]}])],
     API, DB, 5432, "TCP", True),
    ("policy-in-other-namespace-ignored", [f.network_policy("deny", ALL, ingress=[], namespace="traefik")],
     API, DB, 5432, "TCP", True),
    ("egress-only-policy-leaves-ingress-open", [f.network_policy("eg", ALL, egress=[], types=["Egress"])],
     API, DB, 5432, "TCP", True),
    ("union-of-policies", [f.network_policy("deny", ALL, ingress=[]), f.network_policy("db", DB_ONLY, ingress=FROM_API)],
     API, DB, 5432, "TCP", True),
    # Helm renders an empty value as an explicit null; the API server reads null as absent.
    ("namespaceSelector-null-means-own-namespace",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"namespaceSelector": None,
                                                         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}]}])],
     EDGE, DB, 5432, "TCP", False),
    ("namespaceSelector-null-admits-own-namespace",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"namespaceSelector": None, "podSelector": {
         "matchLabels": {"component": "api"}}}]}])], API, DB, 5432, "TCP", True),
    ("ipBlock-null-beside-podSelector-is-absent",
     [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": None, "podSelector": {
         "matchLabels": {"component": "api"}}}]}])], API, DB, 5432, "TCP", True),
    ("protocol-null-means-TCP",
     [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5432, "protocol": None}]}])], API, DB, 5432, "TCP", True),
    ("protocol-null-is-not-UDP",
     [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5432, "protocol": None}]}])], API, DB, 5432, "UDP", False),
    ("podSelector-null-in-spec-selects-every-pod", [f.network_policy("deny", None, ingress=[])], API, DB, 5432, "TCP", False),
    ("matchExpressions-null-entry-selects-nothing",
     [f.network_policy("deny", ALL, ingress=[]), f.network_policy("db", DB_ONLY, ingress=[{"from": [{"podSelector": {
         "matchExpressions": [None]}}]}])], API, DB, 5432, "TCP", False),
]


@pytest.mark.parametrize(("docs", "source", "target", "port", "protocol", "allowed"),
                         [c[1:] for c in INGRESS_CASES], ids=[c[0] for c in INGRESS_CASES])
def test_ingress_verdict(docs, source, target, port, protocol, allowed):
    assert policies(*docs).ingress(source, target, port, protocol).allowed is allowed


EGRESS_CASES = [
    ("no-policy-allows", [], API, INTERNET, 443, True),
    ("egress-rules-imply-egress-type", [f.network_policy("eg", ALL, egress=[{"ports": [{"port": 53}]}])],
     API, INTERNET, 443, False),
    # Kubernetes adds Egress to the default policyTypes only when egress rules exist.
    ("egress-empty-list-without-types-leaves-egress-open", [f.network_policy("eg", ALL, ingress=[], egress=[])],
     API, INTERNET, 443, True),
    ("egress-null-without-types-leaves-egress-open", [f.network_policy("eg", ALL, ingress=[], egress=None, null_egress=True)],
     API, INTERNET, 443, True),
    ("egress-empty-list-with-types-denies", [f.network_policy("eg", ALL, egress=[], types=["Egress"])],
     API, INTERNET, 443, False),
    ("ingress-only-policy-leaves-egress-open", [f.network_policy("in", ALL, ingress=[])], API, INTERNET, 443, True),
    ("egress-to-db-port", [f.network_policy("api", {"matchLabels": {"component": "api"}}, egress=[
        {"to": [{"podSelector": DB_ONLY}], "ports": [{"port": 5432}]}])], API, DB, 5432, True),
    ("egress-to-db-not-internet", [f.network_policy("api", {"matchLabels": {"component": "api"}}, egress=[
        {"to": [{"podSelector": DB_ONLY}], "ports": [{"port": 5432}]}])], API, INTERNET, 5432, False),
    ("egress-ports-without-peers-reach-anything", [f.network_policy("dns", ALL, egress=[
        {"ports": [{"port": 53, "protocol": "UDP"}]}])], API, INTERNET, 53, True),
    ("egress-ipBlock-cidr", [f.network_policy("api", ALL, egress=[
        {"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}])], API, INTERNET, 443, True),
]


@pytest.mark.parametrize(("docs", "source", "target", "port", "allowed"),
                         [c[1:] for c in EGRESS_CASES], ids=[c[0] for c in EGRESS_CASES])
def test_egress_verdict(docs, source, target, port, allowed):
    protocol = "UDP" if port == 53 else "TCP"
    assert policies(*docs).egress(source, target, port, protocol).allowed is allowed


def test_flow_needs_both_sides():
    ingress_open = f.network_policy("db", DB_ONLY, ingress=FROM_API)
    egress_closed = f.network_policy("deny-egress", ALL, egress=[], types=["Egress"])
    assert policies(ingress_open).allows(API, DB, 5432, "TCP")
    assert not policies(ingress_open, egress_closed).allows(API, DB, 5432, "TCP")


def test_isolation_checks_read_nulls_as_absent():
    """The intended environment with the nulls Helm renders from empty values: same verdicts, no finding."""
    docs = f.policy_environment()
    db_container = docs[1]["spec"]["template"]["spec"]["containers"][0]
    db_container["ports"][0]["protocol"] = None
    api_policy = docs[4]["spec"]
    api_policy["egress"][0]["to"][0].update(namespaceSelector=None, ipBlock=None)
    api_policy["egress"][0]["ports"][0]["protocol"] = None
    db_policy = docs[5]["spec"]
    db_policy.update(egress=None, policyTypes=None)
    db_policy["ingress"][0]["from"][0].update(namespaceSelector=None, ipBlock=None)
    db_policy["ingress"][0]["ports"][0]["protocol"] = None
    scenario = f.scenario(*docs, is_environment=True)
    assert run_check("isolation.flows", scenario) == []
    assert run_check("isolation.ingress", scenario) == []
