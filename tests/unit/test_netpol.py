"""Table tests of the NetworkPolicy evaluator and the isolation checks built on it."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

import factories as f
from checking import refs, run_check
from harness.core.manifests import Manifests
from harness.policy.netpol import Endpoint, PolicySet, candidate_ports, flow_matrix, resolve_endpoints
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
    ("endPort-inclusive", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5000, "endPort": 5432}]}])],
     API, DB, 5432, "TCP", True),
    ("endPort-above-range", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5000, "endPort": 5431}]}])],
     API, DB, 5432, "TCP", False),
    ("port-below-range", [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 5433, "endPort": 6000}]}])],
     API, DB, 5432, "TCP", False),
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
    # The API server accepts a cidr with host bits set (netutils.ParseCIDRSloppy): the network counts.
    ("ipBlock-cidr-with-host-bits", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {
        "cidr": "203.0.113.77/24", "except": ["203.0.113.200/25"]}}]}])], INTERNET, DB, 5432, "TCP", True),
    ("ipBlock-except-with-host-bits", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {
        "cidr": "0.0.0.0/0", "except": ["203.0.113.1/24"]}}]}])], INTERNET, DB, 5432, "TCP", False),
    ("ipBlock-invalid-cidr-matches-nothing", [f.network_policy("db", DB_ONLY, ingress=[{"from": [{"ipBlock": {
        "cidr": "everywhere"}}]}])], INTERNET, DB, 5432, "TCP", False),
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
    # An entry with a protocol and no port admits every port of that protocol; entries are read in turn.
    ("protocol-only-entry-admits-any-port",
     [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"protocol": "UDP"}]}])], API, DB, 5432, "UDP", True),
    ("protocol-only-entry-is-not-TCP",
     [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"protocol": "UDP"}]}])], API, DB, 5432, "TCP", False),
    ("second-port-entry-read-after-a-protocol-mismatch",
     [f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"protocol": "UDP"}, {"port": 5432}]}])],
     API, DB, 5432, "TCP", True),
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


def test_egress_named_port_resolves_against_the_destination():
    to_db = f.network_policy("api", {"matchLabels": {"component": "api"}}, egress=[
        {"to": [{"podSelector": DB_ONLY}], "ports": [{"port": "postgresql"}]}])
    assert policies(to_db).egress(API, DB, 5432, "TCP").allowed
    assert not policies(to_db).egress(API, DB, 5433, "TCP").allowed


def test_verdict_names_the_admitting_rule():
    docs = [f.network_policy("deny", ALL, ingress=[]),
            f.network_policy("db", DB_ONLY, ingress=[{"ports": [{"port": 1}]}, *FROM_API])]
    verdict = policies(*docs).ingress(API, DB, 5432, "TCP")
    assert (verdict.allowed, verdict.policy.name, verdict.rule) == (True, "db", "spec.ingress[1]")
    denied = policies(*docs).ingress(EDGE, DB, 5432, "TCP")
    assert (denied.allowed, denied.policy.name, denied.rule) == (False, "deny", "")
    open_egress = policies(*docs).egress(API, DB, 5432, "TCP")
    assert (open_egress.allowed, open_egress.policy) == (True, None)


def _both(policy_set, source, target, port, protocol) -> tuple[bool, bool]:
    """(egress, ingress) verdicts: a connection flows only when both sides admit it (flow_matrix)."""
    return (policy_set.egress(source, target, port, protocol).allowed,
            policy_set.ingress(source, target, port, protocol).allowed)


def test_flow_allowed_when_both_sides_admit():
    ingress_open = f.network_policy("db", DB_ONLY, ingress=FROM_API)
    egress_to_db = f.network_policy("api", {"matchLabels": {"component": "api"}}, egress=[
        {"to": [{"podSelector": DB_ONLY}], "ports": [{"port": 5432, "protocol": "TCP"}]}])
    both = policies(ingress_open, egress_to_db)
    assert _both(both, API, DB, 5432, "TCP") == (True, True)
    assert _both(both, API, DB, 5432, "UDP") == (False, False)
    assert _both(both, API, EDGE, 5432, "TCP") == (False, True), "the API's egress admits only the database"


def test_flow_needs_both_sides():
    ingress_open = f.network_policy("db", DB_ONLY, ingress=FROM_API)
    egress_closed = f.network_policy("deny-egress", ALL, egress=[], types=["Egress"])
    assert _both(policies(ingress_open), API, DB, 5432, "TCP") == (True, True)
    assert _both(policies(ingress_open, egress_closed), API, DB, 5432, "TCP") == (False, True)


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


def _intended():
    return f.scenario().intended


def test_endpoints_of_rendered_pods_and_modelled_neighbours():
    db = f.deployment("database", containers=[f.container("db", ports=[
        {"name": "postgresql", "containerPort": 5432}, {"containerPort": 9187, "protocol": "UDP"}, {"name": "x"}])])
    db["spec"]["template"]["spec"]["initContainers"] = [f.container("init", ports=[{"containerPort": 1111}])]
    portless = f.container("log")
    del portless["ports"]
    db["spec"]["template"]["spec"]["containers"].append(portless)  # a container without ports adds none
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "acme", "labels": {"team": "acme"}}}
    found = resolve_endpoints(_intended(), f.manifests(db, namespace))
    (database,) = found["db"]
    assert (database.namespace, database.workload.name, database.serves_only) == ("acme", "acme-database", False)
    assert database.ports == (PortSpec(5432, "TCP", "postgresql"), PortSpec(9187, "UDP", ""))
    assert dict(database.namespace_labels) == {"team": "acme", "kubernetes.io/metadata.name": "acme"}
    assert dict(database.labels)["app.kubernetes.io/component"] == "database"
    (edge,) = found["edge"]
    assert (edge.namespace, dict(edge.labels), dict(edge.namespace_labels)) == (
        "traefik", {"app.kubernetes.io/name": "traefik"}, {"kubernetes.io/metadata.name": "traefik"})
    assert edge.ports == (PortSpec(8000, "TCP", "web"), PortSpec(8443, "TCP", "websecure"))
    (internet,) = found["internet"]
    assert (str(internet.ip), internet.namespace, internet.in_cluster) == ("203.0.113.10", None, False)
    assert "ui" not in found  # a component the render lacks has no endpoint
    assert len({e.ip for group in found.values() for e in group}) == sum(len(g) for g in found.values())


def _slice(service: str, addresses: list, ports: list) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": f"{service}-1", "namespace": "acme", "labels": {"kubernetes.io/service-name": service}},
            "addressType": "IPv4", "ports": ports, "endpoints": [{"addresses": addresses}]}


def test_external_database_endpoints_come_from_its_endpoint_slices():
    # another Service's slice and a bad address come first: both are passed over, not the end of the search
    empty = _slice("acme-db", [], [])
    empty["endpoints"] = empty["ports"] = None  # Helm renders empty values as null: read as absent
    docs = [_slice("acme-other", ["10.20.0.6"], [{"port": 1}]), empty,
            _slice("acme-db", ["not-an-address", "10.20.0.5"],
                   [{"name": "pg", "port": 5432, "protocol": None}, {"port": 5433, "protocol": "UDP"}])]
    docs[2]["endpoints"].insert(0, {"addresses": None})
    (database,) = resolve_endpoints(_intended(), f.manifests(*docs))["db"]
    assert (str(database.ip), database.serves_only, database.workload.name, database.in_cluster) == (
        "10.20.0.5", True, "acme-db-1", False)
    assert database.ports == (PortSpec(5432, "TCP", "pg"), PortSpec(5433, "UDP", ""))


def test_a_modelled_address_has_the_ports_the_contract_gives_it():
    intended = _intended()
    https = (PortSpec(8443, "TCP", "https"),)
    components = tuple(dataclasses.replace(c, ports=https) if c.address else c for c in intended.components)
    (internet,) = resolve_endpoints(dataclasses.replace(intended, components=components), f.manifests())["internet"]
    assert internet.ports == https


def test_an_outside_address_is_probed_on_every_known_port():
    listener = pod("listener", ports=(PortSpec(7777, "TCP", "odd"),))
    ports = candidate_ports(INTERNET, [listener], _intended())
    assert {(7777, "TCP"), (443, "TCP"), (80, "TCP")} <= ports
    assert {(f.port, f.protocol) for f in _intended().flows} <= ports


def test_flow_matrix_evaluates_inbound_flows_and_never_sends_from_an_external_address():
    docs = [f.deployment("api"), _slice("acme-db", ["10.20.0.5"], [{"port": 5432}]), f.deployment("metrics")]
    results = flow_matrix(_intended(), f.manifests(*docs))
    pairs = {(r.source.name, r.target.name) for r in results}
    assert {("internet", "api"), ("edge", "api"), ("api", "db"), ("api", "internet")} <= pairs
    assert not any(r.source.name == "db" for r in results)  # the external database only ever receives
    assert not any(r.source.name == r.target.name for r in results)
    # Flows between neighbours are theirs to govern: every pair has an end in the namespace Acme runs in.
    assert ("edge", "internet") not in pairs and ("monitoring", "dns") not in pairs
    assert all("acme" in (r.source.namespace, r.target.namespace) for r in results)
    assert ("other-acme-pod", "dns") in pairs and ("foreign-pod", "api") in pairs
    # a neighbour's flow to the external database is passed over, not the end of its row: the collector after it counts
    assert ("edge", "metrics") in pairs and ("monitoring", "metrics") in pairs
    to_db = {(r.port, r.protocol) for r in results if r.target.name == "db"}
    assert to_db == {(5432, "TCP")}
    to_internet = {(r.port, r.protocol) for r in results if (r.source.name, r.target.name) == ("api", "internet")}
    assert {(443, "TCP"), (80, "TCP"), (8080, "TCP"), (53, "UDP"), (5432, "TCP")} <= to_internet
    assert all(r.allowed for r in results)  # no policy rendered: everything flows
