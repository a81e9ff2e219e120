"""The environment's isolation matrix measured on the real node: the flow matrix of its rendered
policies (what `harness flows` prints), and for every pair whose destination has a Ready pod, a
connection opened from a probe pod that wears the source's labels in the source's namespace (one
probe pod per source, all its connections at once). Addresses outside the machine are never
dialled; they and destinations without a Ready pod are listed as not measured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Hashable

from kubernetes import client

from ...core.project import Project
from ...live.wire import OPEN, WireMatrix, WireRow
from ...policy.intended import Flow
from ...policy.netpol import Endpoint, FlowResult, flow_matrix
from ...publish.environments import environment_scenarios
from . import wire
from .settings import NodeSettings


def measure(project: Project, api: client.ApiClient, node: NodeSettings, env: str) -> WireMatrix:
    scenario, = environment_scenarios(project, [env])
    results = flow_matrix(scenario.intended, scenario.manifests)
    addresses: dict[str, str | None] = {}
    for result in results:
        if result.target.in_cluster and result.target.name not in addresses:
            addresses[result.target.name] = _ready_pod_ip(api, result.target)
    measurable = [r for r in results if r.source.in_cluster and addresses.get(r.target.name)]
    by_source: dict[str, list[FlowResult]] = {}
    for result in measurable:
        by_source.setdefault(result.source.name, []).append(result)

    def probe(name: str, sync_seconds: float = wire.POLICY_SYNC_SECONDS) -> dict[str, str]:
        found = by_source[name]
        targets = [wire.Target(_key(r), addresses[r.target.name], r.port, r.protocol) for r in found]
        return wire.measure(api, node, found[0].source.namespace, dict(found[0].source.labels), targets,
                            sync_seconds=sync_seconds)

    def disagrees(name: str, answers: dict[str, str]) -> bool:
        return any((answers[_key(r)] == OPEN) != r.allowed for r in by_source[name])

    measured: dict[str, dict[str, str]] = {}
    if by_source:
        with ThreadPoolExecutor(len(by_source)) as pool:
            measured = dict(zip(by_source, pool.map(probe, by_source)))
            # A probe that ran before kube-router put its address into the policies (seen at load
            # average 30: denied flows open, allowed ones refused) is measured once more after a
            # longer wait; a policy that is really wrong disagrees again and is reported.
            again = [name for name in by_source if disagrees(name, measured[name])]
            retried = pool.map(lambda name: probe(name, wire.RETRY_SYNC_SECONDS), again)
            measured.update(zip(again, retried))
    rows = tuple(WireRow(r.source.name, r.target.name, r.port, r.protocol,
                         Flow(r.source.name, r.target.name, r.port, r.protocol) in scenario.intended.flows,
                         r.allowed, measured[r.source.name][_key(r)]) for r in measurable)
    unmeasured = tuple(sorted({f"{r.source.name} -> {_key(r)}" for r in results if r not in measurable}))
    return WireMatrix(rows, unmeasured)


def cluster_state(api: client.ApiClient) -> frozenset[Hashable]:
    """What a measurement depends on in the cluster: every Ready pod (uid, address, labels: the
    destinations dialled), every NetworkPolicy (uid, resourceVersion: what is enforced) and every
    namespace's labels (what namespaceSelectors match). Probe pods are never Ready, so measuring
    leaves it unchanged."""
    core = client.CoreV1Api(api)
    pods = frozenset(
        ("Pod", pod.metadata.uid, pod.status.pod_ip, frozenset((pod.metadata.labels or {}).items()))
        for pod in core.list_pod_for_all_namespaces().items if _serving(pod))
    policies = frozenset(("NetworkPolicy", p.metadata.uid, p.metadata.resource_version)
                         for p in client.NetworkingV1Api(api).list_network_policy_for_all_namespaces().items)
    namespaces = frozenset(("Namespace", n.metadata.uid, frozenset((n.metadata.labels or {}).items()))
                           for n in core.list_namespace().items)
    return pods | policies | namespaces


class Remembered:
    """`measure()`, except that while the cluster state it was measured on is unchanged the last
    matrix is the answer: the steps of a canary release move only the edge's weights, and the
    probe pods of one matrix take seconds of the node. A matrix is kept only when the state was
    the same before and after it was measured."""

    def __init__(self, measure: Callable[[], WireMatrix], state: Callable[[], Hashable]) -> None:
        self._measure, self._state = measure, state
        self._last: tuple[Hashable, WireMatrix] | None = None

    def __call__(self) -> WireMatrix:
        before = self._state()
        if self._last is not None and self._last[0] == before:
            return self._last[1]
        matrix = self._measure()
        self._last = (before, matrix) if self._state() == before else None
        return matrix


def _key(result: FlowResult) -> str:
    return f"{result.target.name}:{result.port}/{result.protocol}"


def _ready_pod_ip(api: client.ApiClient, endpoint: Endpoint) -> str | None:
    """A Ready pod of the endpoint's labels in its namespace (probe pods, never Ready, are left out)."""
    labels = dict(endpoint.labels)
    if endpoint.workload is not None:  # a rendered workload: its own selector
        labels = endpoint.workload.doc["spec"]["selector"]["matchLabels"]
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    for pod in client.CoreV1Api(api).list_namespaced_pod(endpoint.namespace, label_selector=selector).items:
        if _serving(pod) and pod.status.pod_ip:
            return pod.status.pod_ip
    return None


def _serving(pod: client.V1Pod) -> bool:
    """Ready and not being deleted: a pod a connection may be dialled to."""
    ready = {c.type: c.status for c in pod.status.conditions or []}.get("Ready") == "True"
    return ready and pod.metadata.deletion_timestamp is None
