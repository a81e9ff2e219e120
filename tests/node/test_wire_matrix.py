"""Isolation on the wire, judged by the smoke check `networkpolicy.wire`: for every (source,
destination, port) of the local environment's flow matrix, the contract's verdict, the evaluator's
over the rendered policies and the connection a pod with the source's labels really opens on the
real node agree; and a NetworkPolicy deleted from the live cluster is the exact finding it causes.

Destinations outside the machine (the contract's internet address) are never dialled, and a
destination with no Ready pod cannot answer: both are listed as not measured."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from kubernetes import client

from harness.checks.registry import Subject, select_checks
from harness.checks.run import Status, run_smoke
from harness.core.project import Project
from harness.deploy import drills
from harness.deploy.node import wire_matrix
from harness.deploy.node.settings import NodeSettings
from harness.live import snapshot
from harness.live.settings import SmokeSettings
from harness.live.wire import WireMatrix

pytestmark = pytest.mark.e2e

NAMESPACE = "acme"
WIRE = select_checks(["networkpolicy.wire"], Subject.SNAPSHOT)


def _judge(api: client.ApiClient, matrix: WireMatrix):
    return run_smoke(replace(snapshot.load(api, NAMESPACE), wire=matrix), SmokeSettings(), WIRE)[0]


def test_measured_isolation_equals_the_intended_and_the_evaluated_matrix(api, workloads: NodeSettings,
                                                                         record_property) -> None:
    matrix = wire_matrix.measure(Project.discover(), api, workloads, "local")
    print("\n" + "\n".join(matrix.lines()))
    record_property("pairs_measured", len(matrix.rows))
    record_property("pairs_open", sum(r.opened for r in matrix.rows))
    record_property("pairs_not_measured", len(matrix.unmeasured))
    # Every source of the contract stood in on the wire, and both verdicts were among the measured.
    assert {r.source for r in matrix.rows} >= {"ui", "api", "db", "metrics", "edge", "monitoring", "other-acme-pod",
                                               "foreign-pod"}
    assert any(r.intended for r in matrix.rows) and any(not r.intended for r in matrix.rows)
    outcome = _judge(api, matrix)
    assert outcome.status is Status.PASS, "the three matrices differ:\n" + "\n".join(
        f"  {f.object} {f.field}: {f.message}" for f in outcome.findings)


def test_a_policy_deleted_from_the_cluster_is_the_flow_it_closes(api, workloads: NodeSettings) -> None:
    """The database's own policy is what lets its clients in; without it the default deny holds the port shut."""
    net = client.NetworkingV1Api(api)
    policy = net.list_namespaced_network_policy(NAMESPACE, label_selector="app.kubernetes.io/component=database").items
    assert len(policy) == 1, [p.metadata.name for p in policy]
    saved = api.sanitize_for_serialization(policy[0])
    saved["metadata"] = {k: v for k, v in saved["metadata"].items()
                         if k in ("name", "namespace", "labels", "annotations")}
    net.delete_namespaced_network_policy(saved["metadata"]["name"], NAMESPACE)
    try:
        matrix = wire_matrix.measure(Project.discover(), api, workloads, "local")
        outcome = _judge(api, matrix)
    finally:
        net.create_namespaced_network_policy(NAMESPACE, saved)
        # the API's readiness asks the database, so its pods went unready meanwhile (and the edge
        # dropped its route): the next test must start from a serving API
        drills.wait_settled(api, NAMESPACE, "acme-api")
    # every flow the contract allows into the database (the API's, the backup jobs') is closed, nothing else
    allowed_in = sorted({r.source for r in matrix.rows if r.target == "db" and r.intended})
    assert "api" in allowed_in
    # closed is refused (kube-router's reject) or, when a reply is lost under load, a timeout: both are closed
    assert [(str(f.object), f.field) for f in sorted(outcome.findings, key=lambda f: str(f.object))] == [
        (f"Flow/{source} -> db:5432/TCP", "wire") for source in allowed_in], outcome.findings
    assert all(re.fullmatch(r"the connection met (ConnectionRefusedError|timeout) on the wire; the contract allows",
                            f.message) for f in outcome.findings), [f.message for f in outcome.findings]
