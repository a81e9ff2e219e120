"""A request sent through the node's edge leaves its API log line, with the pod's labels, in the node's
log store (vlagent ships it to VictoriaLogs); a stopped shipper is named as the place the line stopped."""

from __future__ import annotations

import dataclasses
import time

import pytest
from kubernetes import client

from harness.checks.registry import Subject, select_checks
from harness.checks.run import Status, run_smoke
from harness.core.project import Project
from harness.deploy.node import addons, log_store
from harness.deploy.node.backends import LOG_SHIPPER
from harness.deploy.node.settings import NodeSettings
from harness.deploy.target import data_plane, observability, target_for
from harness.live import httpprobe, logs_api, snapshot
from harness.live.settings import SmokeSettings

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
CHECK = select_checks(["observability.logs-shipped"], Subject.SNAPSHOT)


@pytest.fixture
def settings(api, workloads: NodeSettings) -> SmokeSettings:
    project, target = Project.discover(), target_for("local")
    return SmokeSettings(observability=observability(project, target, api), **data_plane(project, target, api))


def test_the_request_line_reaches_the_store_with_the_pods_labels(api, workloads: NodeSettings, settings) -> None:
    found = settings.observability
    assert (found.logs_url, found.log_shipper_url) == (log_store.store_url(workloads), log_store.shipper_url(workloads))
    started = time.monotonic()
    (outcome,) = run_smoke(snapshot.load(api, NAMESPACE), settings, CHECK)
    assert (outcome.status, outcome.findings) == (Status.PASS, [])
    print(f"logs-shipped: {time.monotonic() - started:.1f} s (request through the edge, shipped, found, labels compared)")


def test_request_to_stored_line_latency(workloads: NodeSettings, settings) -> None:
    request_id = logs_api.new_request_id()
    sent = time.monotonic()
    answer = httpprobe.fetch(f"https://{settings.http.api_host}/healthz/ready", settings.http, {"X-Request-Id": request_id})
    assert answer.headers.get("x-request-id") == request_id
    line = logs_api.wait_for_line(settings.observability.logs_url or "", request_id, 30)
    assert line is not None, "the request's line was not in the store within 30 s"
    assert line[logs_api.NAMESPACE_FIELD] == NAMESPACE and line["route"] == "/healthz/ready"
    print(f"request to stored line: {time.monotonic() - sent:.2f} s")


def test_a_stopped_shipper_is_named(api, workloads: NodeSettings, settings) -> None:
    apps = client.AppsV1Api(api)
    namespace, name = LOG_SHIPPER.deployment or ("", "")
    apps.patch_namespaced_deployment_scale(name, namespace, {"spec": {"replicas": 0}})
    try:
        deadline = time.monotonic() + 30
        while client.CoreV1Api(api).list_namespaced_pod(namespace, label_selector=f"app.kubernetes.io/name={name}").items:
            assert time.monotonic() < deadline, "the shipper's pod did not go within 30 s"
            time.sleep(0.5)
        briefly = dataclasses.replace(settings, observability=dataclasses.replace(settings.observability,
                                                                                  log_deadline_seconds=2))
        (outcome,) = run_smoke(snapshot.load(api, NAMESPACE), briefly, CHECK)
        [finding] = outcome.findings
        assert (str(finding.object), finding.field) == ("LogShipper/agent", "")
        assert finding.message.startswith(f"the log shipper is not running: {log_store.shipper_url(workloads)}/health: ")
    finally:
        apps.patch_namespaced_deployment_scale(name, namespace, {"spec": {"replicas": 1}})
        addons.wait_available(api, LOG_SHIPPER, timeout=60)
