"""The evaluator and netpol-oracle asked the same questions: endpoints, policies and connections in,
the connections on which they disagree out (with both verdicts, direction by direction)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from harness.core.manifests import K8sObject
from harness.policy.netpol import Endpoint, PolicySet
from harness.tools.netpol_oracle import NetpolOracle, OracleVerdict


@dataclass(frozen=True)
class Query:
    source: int  # index into the endpoint list
    target: int
    port: int
    protocol: str


@dataclass(frozen=True)
class Disagreement:
    source: str
    target: str
    port: int
    protocol: str
    evaluator: OracleVerdict
    oracle: OracleVerdict

    def __str__(self) -> str:
        def show(v: OracleVerdict) -> str:
            return f"egress {'allow' if v.egress else 'deny'}, ingress {'allow' if v.ingress else 'deny'}"
        return (f"{self.source} -> {self.target} {self.port}/{self.protocol}: "
                f"evaluator {show(self.evaluator)}; oracle {show(self.oracle)}")


def oracle_document(endpoints: list[Endpoint], policies: Iterable[K8sObject], queries: list[Query]) -> dict[str, Any]:
    """The oracle's input for these endpoints: in-cluster ones as pods, the others by address."""
    names = endpoint_keys(endpoints)
    namespaces: dict[str, dict[str, str]] = {}
    pods = []
    for endpoint, key in zip(endpoints, names):
        if not endpoint.in_cluster:
            continue
        namespaces.setdefault(endpoint.namespace, dict(endpoint.namespace_labels))
        pods.append({"namespace": endpoint.namespace, "name": key.split("/", 1)[1], "ip": str(endpoint.ip),
                     "labels": dict(endpoint.labels),
                     "ports": [{"name": p.name, "port": p.port, "protocol": p.protocol} for p in endpoint.ports]})

    def where(index: int) -> dict[str, str]:
        endpoint = endpoints[index]
        return {"pod": names[index]} if endpoint.in_cluster else {"ip": str(endpoint.ip)}

    return {
        "namespaces": [{"name": n, "labels": labels} for n, labels in sorted(namespaces.items())],
        "pods": pods,
        "policies": [with_namespace(p) for p in policies],
        "queries": [{"from": where(q.source), "to": where(q.target), "port": q.port, "protocol": q.protocol}
                    for q in queries],
    }


def endpoint_keys(endpoints: list[Endpoint]) -> list[str]:
    """namespace/name per endpoint, unique (a component can have several pods)."""
    return [f"{e.namespace}/{e.name}-{i}" if e.in_cluster else f"{e.name}-{i}" for i, e in enumerate(endpoints)]


def with_namespace(policy: K8sObject) -> dict[str, Any]:
    """The policy as the API server stores it: in the namespace it was applied to."""
    doc = json.loads(json.dumps(policy.doc))
    doc.setdefault("metadata", {})["namespace"] = policy.namespace
    return doc


def disagreements(oracle: NetpolOracle, endpoints: list[Endpoint], policies: list[K8sObject],
                  queries: list[Query]) -> tuple[list[Disagreement], list[OracleVerdict]]:
    """Both implementations over every query; returns the disagreements and the oracle's verdicts."""
    verdicts = oracle.verdicts(oracle_document(endpoints, policies, queries))
    evaluator = PolicySet(policies)
    keys = endpoint_keys(endpoints)
    found = []
    for query, theirs in zip(queries, verdicts):
        source, target = endpoints[query.source], endpoints[query.target]
        ours = OracleVerdict(evaluator.egress(source, target, query.port, query.protocol).allowed,
                             evaluator.ingress(source, target, query.port, query.protocol).allowed)
        if ours != theirs:
            found.append(Disagreement(keys[query.source], keys[query.target], query.port, query.protocol, ours, theirs))
    return found, verdicts
