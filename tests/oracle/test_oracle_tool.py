"""netpol-oracle itself: the API server's defaulting and validation run before its matcher answers,
and what it cannot answer is refused in one sentence, never guessed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from pinned_tools import pinned_tool

NAMESPACES = [{"name": "a", "labels": {"team": "x"}}, {"name": "b", "labels": {"team": "y"}}]
PODS = [
    {"namespace": "a", "name": "web", "ip": "10.0.0.2", "labels": {"app": "web"},
     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
    {"namespace": "a", "name": "db", "ip": "10.0.0.3", "labels": {"app": "db"}, "ports": [{"port": 5432}]},
    {"namespace": "b", "name": "web", "ip": "10.0.1.2", "labels": {"app": "web"}, "ports": []},
]


def policy(spec: dict, namespace: str = "a", name: str = "p") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def ask(oracle, policies: list[dict], source: dict, target: dict, port: int, protocol: str = "TCP"):
    document = {"namespaces": NAMESPACES, "pods": PODS, "policies": policies,
                "queries": [{"from": source, "to": target, "port": port, "protocol": protocol}]}
    return oracle.verdicts(document)[0]


WEB, DB, OTHER_WEB, INTERNET = {"pod": "a/web"}, {"pod": "a/db"}, {"pod": "b/web"}, {"ip": "203.0.113.10"}
ALL = {}
TO_DB = {"podSelector": {"matchLabels": {"app": "db"}}}

# (id, policies, source, target, port, protocol, (egress, ingress))
CASES = [
    ("no-policy", [], WEB, DB, 5432, "TCP", (True, True)),
    ("default-deny-ingress", [policy({"podSelector": ALL})], WEB, DB, 5432, "TCP", (True, False)),
    # Defaulting adds Egress only when egress rules exist: null and [] are no rules.
    ("egress-null-without-types-leaves-egress-open", [policy({"podSelector": ALL, "egress": None})],
     WEB, INTERNET, 443, "TCP", (True, True)),
    ("egress-empty-without-types-leaves-egress-open", [policy({"podSelector": ALL, "egress": []})],
     WEB, INTERNET, 443, "TCP", (True, True)),
    ("egress-rules-without-types-isolate-egress",
     [policy({"podSelector": ALL, "egress": [{"to": [TO_DB]}]})], WEB, INTERNET, 443, "TCP", (False, True)),
    ("null-namespaceSelector-is-the-policy-namespace",
     [policy({**TO_DB, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}, "namespaceSelector": None}]}]})],
     OTHER_WEB, DB, 5432, "TCP", (True, False)),
    ("empty-namespaceSelector-is-every-namespace",
     [policy({**TO_DB, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}, "namespaceSelector": {}}]}]})],
     OTHER_WEB, DB, 5432, "TCP", (True, True)),
    ("null-ipBlock-beside-podSelector-is-absent",
     [policy({**TO_DB, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}, "ipBlock": None}]}]})],
     WEB, DB, 5432, "TCP", (True, True)),
    ("null-protocol-is-TCP", [policy({**TO_DB, "ingress": [{"ports": [{"port": 5432, "protocol": None}]}]})],
     WEB, DB, 5432, "TCP", (True, True)),
    ("null-protocol-is-not-UDP", [policy({**TO_DB, "ingress": [{"ports": [{"port": 5432, "protocol": None}]}]})],
     WEB, DB, 5432, "UDP", (True, False)),
    ("named-port-resolves-on-the-destination",
     [policy({"podSelector": ALL, "ingress": [{"ports": [{"port": "http"}]}]})], DB, WEB, 8080, "TCP", (True, True)),
    ("named-port-absent-on-the-destination",
     [policy({"podSelector": ALL, "ingress": [{"ports": [{"port": "http"}]}]})], WEB, DB, 5432, "TCP", (True, False)),
    ("ipBlock-except", [policy({**TO_DB, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["203.0.113.0/24"]}}]}]})],
     INTERNET, DB, 5432, "TCP", (True, False)),
    ("ipBlock-matches-pod-addresses", [policy({**TO_DB, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/24"}}]}]})],
     WEB, DB, 5432, "TCP", (True, True)),
    ("NotIn-on-a-key-every-pod-has", [policy({**TO_DB, "ingress": [{"from": [{"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": ["web"]}]}}]}]})], WEB, DB, 5432, "TCP", (True, False)),
]


@pytest.mark.parametrize("policies,source,target,port,protocol,expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_oracle_answers_as_a_cluster_would(oracle, policies, source, target, port, protocol, expected):
    verdict = ask(oracle, policies, source, target, port, protocol)
    assert (verdict.egress, verdict.ingress) == expected


# (id, policies, source, target, phrase of the refusal)
REFUSED = [
    ("empty-peer", [policy({**TO_DB, "ingress": [{"from": [{}]}]})], WEB, DB, "must specify a peer"),
    ("ipBlock-beside-podSelector", [policy({**TO_DB, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, **TO_DB}]}]})],
     WEB, DB, "may not specify both ipBlock and another peer"),
    ("except-outside-cidr", [policy({**TO_DB, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.1.0.0/24"]}}]}]})],
     WEB, DB, "except"),
    ("endPort-with-named-port", [policy({**TO_DB, "ingress": [{"ports": [{"port": "http", "endPort": 9000}]}]})],
     WEB, DB, "endPort"),
    ("unknown-field", [policy({**TO_DB, "ingres": []})], WEB, DB, 'unknown field "spec.ingres"'),
    ("no-namespace", [{"kind": "NetworkPolicy", "metadata": {"name": "p"}, "spec": TO_DB}], WEB, DB, "metadata.namespace"),
    # cyclonus v0.5.6 reads NotIn on an absent key as no match; Kubernetes as a match.
    ("NotIn-on-a-key-some-pod-lacks", [policy({**TO_DB, "ingress": [{"from": [{"podSelector": {"matchExpressions": [
        {"key": "tier", "operator": "NotIn", "values": ["x"]}]}}]}]})], WEB, DB, 'NotIn on key "tier"'),
    ("unknown-pod", [], {"pod": "a/nope"}, DB, 'pod "a/nope" is not among pods'),
]


@pytest.mark.parametrize("policies,source,target,phrase", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_oracle_refuses_what_it_cannot_answer(oracle, policies, source, target, phrase):
    with pytest.raises(HarnessError, match="netpol-oracle refused the document") as refused:
        ask(oracle, policies, source, target, 5432)
    assert phrase in str(refused.value)


def test_oracle_keeps_answering_after_a_refusal(oracle):
    with pytest.raises(HarnessError):
        ask(oracle, [policy({**TO_DB, "ingress": [{"from": [{}]}]})], WEB, DB, 5432)
    assert ask(oracle, [], WEB, DB, 5432).allowed


def test_unreadable_input_is_exit_2_with_one_line():
    done = subprocess.run([str(pinned_tool("netpol-oracle"))], input="{not json", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("netpol-oracle: stdin is not the expected JSON document") and done.stderr.count("\n") == 1


def test_oracle_builds_on_the_control_plane_kubernetes():
    """Its defaulting and validation are the pinned API server's: same k8s.io/kubernetes, same replaces."""
    tools = Path(__file__).resolve().parents[2] / "tools"

    def pins(gomod: Path) -> tuple[str, str]:
        text = gomod.read_text()
        kubernetes = re.search(r"^(?:require)?\s+k8s\.io/kubernetes (v\S+)$", text, re.M)
        replaces = re.search(r"^replace \((.*?)^\)", text, re.M | re.S)
        assert kubernetes and replaces, f"{gomod}: no k8s.io/kubernetes requirement or replace block"
        return kubernetes.group(1), replaces.group(1)

    assert pins(tools / "netpol-oracle" / "go.mod") == pins(tools / "kubernetes" / "go.mod")
