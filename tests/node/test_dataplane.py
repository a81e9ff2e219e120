"""The local environment on the real node: its workloads run there from the digest-pinned local
images, the cluster DNS and the API server answer pods, the NetworkPolicies are enforced on the
wire, and every smoke check (the HTTP ones through the edge) runs and passes: none skips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kubernetes import client

from harness.deploy.images.contract import reference
from harness.deploy.node import wire
from harness.deploy.node.agents import local_images
from harness.deploy.node.settings import NodeSettings
from harness.deploy.node.wire import Target

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
REPO = Path(__file__).resolve().parents[2]
IMAGES = {"acme-api": "api", "acme-ui": "ui", "acme-db": "postgres", "acme-metrics": "pushgateway"}


def _pods(api: client.ApiClient, name: str) -> list[client.V1Pod]:
    pods = client.CoreV1Api(api).list_namespaced_pod(NAMESPACE).items
    return [p for p in pods if p.metadata.name.startswith(f"{name}-") and p.metadata.deletion_timestamp is None
            and "acme.dev/wire-probe" not in (p.metadata.labels or {})]


@pytest.mark.parametrize("workload", sorted(IMAGES))
def test_workload_runs_on_the_real_node_from_its_pinned_local_image(api, workloads: NodeSettings, workload) -> None:
    pods = _pods(api, workload)
    assert pods, f"no pod of {workload}"
    image = local_images(workloads)[IMAGES[workload]]
    for pod in pods:
        assert pod.spec.node_name == workloads.name, f"{pod.metadata.name} is on {pod.spec.node_name}"
        assert pod.spec.containers[0].image == reference(image)
        ready = {c.type: c.status for c in pod.status.conditions or []}.get("Ready")
        assert ready == "True", f"{pod.metadata.name} not Ready"


def _service_ip(api: client.ApiClient, namespace: str, name: str) -> str:
    return client.CoreV1Api(api).read_namespaced_service(name, namespace).spec.cluster_ip


def _pod_ip(api: client.ApiClient, workload: str) -> str:
    return _pods(api, workload)[0].status.pod_ip


def test_pods_resolve_cluster_names_and_reach_the_api_server(api, workloads: NodeSettings) -> None:
    measured = wire.measure(api, workloads, "default", {"app": "dns-client"}, [
        Target("dns", workloads.cluster_dns, 53, "UDP"),
        Target("api-server", workloads.api_service_ip, 443),
    ])
    assert measured == {"dns": "open", "api-server": "open"}


def test_network_policies_are_enforced_on_the_wire(api, workloads: NodeSettings) -> None:
    db, metrics, api_pod = _pod_ip(api, "acme-db"), _pod_ip(api, "acme-metrics"), _pod_ip(api, "acme-api")
    targets = [Target("db", db, 5432), Target("metrics", metrics, 8080), Target("api", api_pod, 8080)]
    # the probe stands for an API pod: all of its labels (policies select on more than the contract's pair)
    api_labels = {k: v for k, v in _pods(api, "acme-api")[0].metadata.labels.items() if k != "pod-template-hash"}
    as_api = wire.measure(api, workloads, NAMESPACE, api_labels, targets)
    # the API's own flows (policy/intended-flows.yaml): database and collector; nothing lets it reach itself
    assert as_api["db"] == "open" and as_api["metrics"] == "open", as_api
    assert as_api["api"] != "open", as_api
    intruder = wire.measure(api, workloads, NAMESPACE, {"app": "intruder"}, targets)
    assert all(state != "open" for state in intruder.values()), intruder
    foreign = wire.measure(api, workloads, "default", {"app": "intruder"}, targets)
    assert all(state != "open" for state in foreign.values()), foreign


def test_every_smoke_check_runs_and_passes_with_http_through_the_edge(workloads: NodeSettings, tmp_path) -> None:
    report = tmp_path / "smoke.json"
    done = subprocess.run([sys.executable, "-m", "harness", "smoke", "--env", "local", "--wait", "120",
                           "--json", str(report)], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(report.read_text())
    assert result["skipped"] == [] and result["findings"] == [], result
    assert " 0 failed (0 findings), 0 skipped" in result["summary"], result["summary"]
    assert "http.api-health" in done.stdout and "http.static-cache" in done.stdout, done.stdout
