"""What the zero-downtime drills do to a workload while traffic flows: a rolling restart (what a
new image does to the pods), an eviction of one pod (what a node drain does) and, as the control
that shows the traffic would notice, a pod crashing while it serves."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable, Sequence

from kubernetes import client

from ..core.errors import HarnessError
from ..core.project import Project
from .traffic import Traffic, UrlSummary
from .node import cgroups
from .node.settings import NodeSettings

URLS = ("https://www.acme.com/", "https://api.acme.com/v1/items")
# after the rollout settles, so that requests to pods still shutting down are part of the run
SETTLE_SECONDS = 3.0
Drill = Callable[[client.ApiClient, str, str], object]


def _deployment(api: client.ApiClient, namespace: str, name: str) -> client.V1Deployment:
    return client.AppsV1Api(api).read_namespaced_deployment(name, namespace)


def settled(api: client.ApiClient, namespace: str, name: str) -> bool:
    """The rollout is done: the new template everywhere, every replica available, no old pod left."""
    d = _deployment(api, namespace, name)
    want = d.spec.replicas or 0
    if (d.status.observed_generation or 0) < d.metadata.generation:
        return False
    if not (d.status.updated_replicas or 0) == (d.status.available_replicas or 0) == (d.status.replicas or 0) == want:
        return False
    return len(pods(api, namespace, name, include_terminating=True)) == want


def wait_settled(api: client.ApiClient, namespace: str, name: str, timeout: float = 180) -> float:
    started = time.monotonic()
    while not settled(api, namespace, name):
        if time.monotonic() - started > timeout:
            raise HarnessError(f"{namespace}/{name} did not settle within {timeout:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - started


def pods(api: client.ApiClient, namespace: str, name: str, include_terminating: bool = False) -> list[client.V1Pod]:
    selector = _deployment(api, namespace, name).spec.selector.match_labels
    found = client.CoreV1Api(api).list_namespaced_pod(
        namespace, label_selector=",".join(f"{k}={v}" for k, v in selector.items())).items
    return [p for p in found if include_terminating or p.metadata.deletion_timestamp is None]


def restart(api: client.ApiClient, namespace: str, name: str) -> None:
    """`kubectl rollout restart`: a new pod template, so every pod is replaced by the rolling update."""
    stamp = dt.datetime.now(dt.timezone.utc).isoformat()
    client.AppsV1Api(api).patch_namespaced_deployment(name, namespace, {"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}}})


def evict_one(api: client.ApiClient, namespace: str, name: str) -> str:
    """Evict one pod through the Eviction API, as a drain does (the PodDisruptionBudget decides)."""
    victim = pods(api, namespace, name)[0].metadata.name
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim, namespace=namespace))
    client.CoreV1Api(api).create_namespaced_pod_eviction(victim, namespace, body)
    return victim


def crash_one(api: client.ApiClient, namespace: str, name: str) -> str:
    """The control: every process of one pod on the real node killed at once, while it is still an
    endpoint (a force-delete would not do: the endpoint goes with the object, before the container)."""
    victim = pods(api, namespace, name)[0]
    node = NodeSettings.from_env()
    if not cgroups.kill_pod(node.cgroup_parent, victim.metadata.uid):
        raise HarnessError(f"{namespace}/{victim.metadata.name} has no process under the real node's cgroup "
                           f"{node.cgroup_parent}: is it on the real node?")
    return victim.metadata.name


def stream(node: NodeSettings, rate: int, workdir: Path, urls: Sequence[str] = URLS) -> Traffic:
    """A request stream (`with stream(...) as traffic:`) through the node's edge, trusting the local CA."""
    return Traffic(Project.discover(), urls, rate, workdir, edge_address=node.node_ip,
                   ca_file=node.cluster.tls_ca_dir / "ca.crt")


def under_traffic(api: client.ApiClient, node: NodeSettings, namespace: str, workload: str, drill: Drill,
                  rate: int, workdir: Path) -> tuple[list[UrlSummary], float]:
    """The drill on `workload` while a stream of `rate` requests/s runs through the node's edge to
    both public hosts, from a second before it until the workload has settled and SETTLE_SECONDS
    more. Returns the stream's summary per URL and how long it ran."""
    started = time.monotonic()
    with stream(node, rate, workdir) as traffic:
        time.sleep(1)  # the stream runs before the disruption begins
        drill(api, namespace, workload)
        time.sleep(1)
        wait_settled(api, namespace, workload)
        time.sleep(SETTLE_SECONDS)
    return traffic.summary(), time.monotonic() - started
