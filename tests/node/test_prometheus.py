"""The real node's Prometheus scrapes the local environment through the configuration generated
from its own ServiceMonitors: every acme-api pod is a target that is up, and the charts' rules
load and evaluate without error."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from harness.checks.run import Status
from harness.core.project import Project
from harness.deploy.node import monitoring
from harness.deploy.smoke import runner
from harness.deploy.target import observability, target_for
from harness.live import snapshot
from harness.live.settings import SmokeSettings
from harness.deploy.node.settings import NodeSettings
from harness.deploy.release import counters
from harness.live import prometheus_api

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
# Two of the chart's default 30 s scrape intervals and the first discovery fit in 90 s.
DEADLINE = 90


def _ready_pods(api: client.ApiClient, component: str) -> int:
    pods = client.CoreV1Api(api).list_namespaced_pod(
        NAMESPACE, label_selector=f"app.kubernetes.io/component={component}").items
    return sum(1 for p in pods if any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or []))


@pytest.mark.parametrize(("job", "component"), [("acme-api", "api"), ("acme-metrics", "metrics")])
def test_every_pod_the_monitor_selects_is_a_target_that_is_up(api, workloads: NodeSettings, job: str,
                                                              component: str) -> None:
    url, started = monitoring.base_url(workloads), time.monotonic()
    want = _ready_pods(api, component)
    assert want > 0, f"no ready {component} pods"
    while True:
        up = prometheus_api.series_count(url, f'up{{job="{job}"}} == 1')
        every = prometheus_api.series_count(url, f'up{{job="{job}"}}')
        if up == every == want:
            break
        assert time.monotonic() - started < DEADLINE, \
            f"{job}: {up} of {every} targets up after {DEADLINE} s, {want} ready pods"
        time.sleep(2)


def test_the_api_latency_histogram_is_scraped_per_pod(api, workloads: NodeSettings) -> None:
    """The series a release's analysis compares (error rate, p99 latency) exist for every API pod."""
    url = monitoring.base_url(workloads)
    expr = 'count by (pod) (http_server_request_duration_seconds_bucket{job="acme-api"})'
    deadline = time.monotonic() + DEADLINE
    while prometheus_api.series_count(url, expr) < _ready_pods(api, "api"):
        assert time.monotonic() < deadline, f"{expr}: fewer pods than the ready API pods after {DEADLINE} s"
        time.sleep(2)


def test_a_release_analysis_reads_the_stable_tracks_counters(api, workloads: NodeSettings) -> None:
    """The analysis' query is valid on the real series and waits for a scrape after its mark."""
    url, since = monitoring.base_url(workloads), time.time()
    reading = counters.read(url, "acme-api", _ready_pods(api, "api"), since, DEADLINE)
    assert len(reading.scraped) == _ready_pods(api, "api") and min(reading.scraped.values()) >= since
    metrics = counters.between(counters.Reading({}, {}), reading)
    assert metrics.requests >= 0 and 0 <= metrics.errors <= metrics.requests


def test_the_charts_rules_load_and_none_fails(workloads: NodeSettings) -> None:
    states = prometheus_api.rule_states(monitoring.base_url(workloads))
    assert len(states) >= 10, [s.name for s in states]
    assert [s for s in states if s.health == "err"] == []


def test_the_observability_smoke_checks_pass_on_the_node(api, workloads: NodeSettings) -> None:
    """The smoke run after a deploy finds the node's Prometheus by itself and both checks run and pass."""
    found = observability(Project.discover(), target_for("local"), api)
    assert found.prometheus_url == monitoring.base_url(workloads)
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, NAMESPACE), SmokeSettings(observability=found),
                                        DEADLINE, ["observability.scraped", "observability.rules-loaded"])
    assert {o.check.id: (o.status, o.findings) for o in outcomes} == {
        "observability.scraped": (Status.PASS, []), "observability.rules-loaded": (Status.PASS, [])}
