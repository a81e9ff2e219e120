"""Isolation on the wire: for every (source, destination, port) of the local environment's flow
matrix, three verdicts agree: the contract's (policy/intended-flows.yaml), the evaluator's over
the rendered policies (what `harness flows --env local` prints), and the connection a pod with
the source's labels, in the source's namespace, really opens on the real node.

Destinations outside the machine (the contract's internet address) are never dialled, and a
destination with no running pod (no Prometheus runs locally) cannot answer: both are counted
and listed, not measured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy.node import wire
from harness.deploy.node.settings import NodeSettings
from harness.deploy.node.wire import Target
from harness.policy.intended import Flow
from harness.policy.netpol import Endpoint, FlowResult, flow_matrix
from harness.render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from harness.render.renderer import Renderer

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Row:
    source: str
    target: str
    port: int
    protocol: str
    intended: bool
    evaluated: bool
    measured: str  # "open", or what the connection met

    @property
    def agree(self) -> bool:
        return self.intended == self.evaluated == (self.measured == "open")


def _local_scenario():
    project = Project.discover()
    renderer = Renderer(project, None)
    plans = plan_scenarios(project, Selection((), ("local",)))
    scenarios = build_scenarios(project, plans, renderer, RunOptions(), needs_baseline=False, needs_schemas=False)
    return next(s for s in scenarios if s.is_environment)


def _running_pod_ip(api: client.ApiClient, endpoint: Endpoint) -> str | None:
    """A Ready pod of the endpoint's labels in its namespace (probe pods, never Ready, are left out)."""
    labels = dict(endpoint.labels)
    if endpoint.workload is not None:  # a rendered workload: its own selector
        labels = endpoint.workload.doc["spec"]["selector"]["matchLabels"]
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    for pod in client.CoreV1Api(api).list_namespaced_pod(endpoint.namespace, label_selector=selector).items:
        ready = {c.type: c.status for c in pod.status.conditions or []}.get("Ready") == "True"
        if ready and pod.metadata.deletion_timestamp is None and pod.status.pod_ip:
            return pod.status.pod_ip
    return None


def _key(result: FlowResult) -> str:
    return f"{result.target.name}:{result.port}/{result.protocol}"


def test_measured_isolation_equals_the_intended_and_the_evaluated_matrix(api, workloads: NodeSettings,
                                                                         record_property) -> None:
    scenario = _local_scenario()
    intended = scenario.intended
    results = flow_matrix(intended, scenario.manifests)
    addresses: dict[str, str | None] = {}
    for result in results:
        if result.target.in_cluster and result.target.name not in addresses:
            addresses[result.target.name] = _running_pod_ip(api, result.target)
    measurable = [r for r in results if r.source.in_cluster and addresses.get(r.target.name)]
    unmeasured = sorted({f"{r.source.name} -> {_key(r)}" for r in results if r not in measurable})
    by_source: dict[str, list[FlowResult]] = {}  # one probe pod per source component
    for result in measurable:
        by_source.setdefault(result.source.name, []).append(result)

    def measure(name: str) -> dict[str, str]:
        found = by_source[name]
        targets = [Target(_key(r), addresses[r.target.name], r.port, r.protocol) for r in found]
        return wire.measure(api, workloads, found[0].source.namespace, dict(found[0].source.labels), targets)

    with ThreadPoolExecutor(len(by_source)) as pool:
        measured = dict(zip(by_source, pool.map(measure, by_source)))
    rows = [Row(r.source.name, r.target.name, r.port, r.protocol,
                Flow(r.source.name, r.target.name, r.port, r.protocol) in intended.flows, r.allowed,
                measured[r.source.name][_key(r)]) for r in measurable]
    table = [f"{'source':>15} -> {'destination':<22} {'intended':<9} {'evaluator':<10} wire"]
    table += [f"{r.source:>15} -> {r.target + ':' + str(r.port) + '/' + r.protocol:<22} "
              f"{'allow' if r.intended else 'deny':<9} {'allow' if r.evaluated else 'deny':<10} {r.measured}"
              for r in sorted(rows, key=lambda r: (r.source, r.target, r.port, r.protocol))]
    print("\n" + "\n".join(table) + f"\nnot measured ({len(unmeasured)}): " + "; ".join(unmeasured))
    record_property("pairs_measured", len(rows))
    record_property("pairs_open", sum(r.measured == "open" for r in rows))
    record_property("pairs_not_measured", len(unmeasured))
    # Every source of the contract stood in on the wire, and each intended flow was among the measured.
    assert {r.source for r in rows} >= {"ui", "api", "db", "metrics", "edge", "monitoring", "other-acme-pod",
                                        "foreign-pod"}
    assert any(r.intended for r in rows) and any(not r.intended for r in rows)
    differing = [r for r in rows if not r.agree]
    assert not differing, "the three matrices differ:\n" + "\n".join(
        f"  {r.source} -> {r.target}:{r.port}/{r.protocol}: intended {r.intended}, evaluator {r.evaluated}, "
        f"wire {r.measured}" for r in differing)
