"""collector.single-writer and collector.persisted-state: clean on every environment's render, and each
break of the single-writer layout is reported on the object and field to fix."""

from __future__ import annotations

from typing import Callable

import pytest

from rendered import find, findings, render, scenario

ENVIRONMENTS = ["local", "staging", "production"]
CHECKS = ("collector.single-writer", "collector.persisted-state", "collector.scraped-once")
COLLECTOR = "StatefulSet/acme/acme-metrics"
CONTAINER = "spec.template.spec.containers[0]"


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return render("acme-platform", "production")


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=ENVIRONMENTS)
@pytest.mark.parametrize("check_id", CHECKS, ids=CHECKS)
def test_environment_render_is_clean(check_id, environment):
    assert findings(check_id, scenario(render("acme-platform", environment), environment=True)) == set()


def _collector(docs: list[dict]) -> dict:
    return find(docs, "StatefulSet", "acme-metrics")


def _replicas(count: int) -> Callable[[list[dict]], None]:
    return lambda docs: _collector(docs)["spec"].update(replicas=count)


def _as_deployment(docs: list[dict]) -> None:
    workload = _collector(docs)
    workload["kind"] = "Deployment"
    workload["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def _with_hpa(docs: list[dict]) -> None:
    docs.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                 "metadata": {"name": "acme-metrics", "namespace": "acme"},
                 "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "acme-metrics"},
                          "minReplicas": 1, "maxReplicas": 3}})


def _args(edit: Callable[[list[str]], list[str]]) -> Callable[[list[dict]], None]:
    def apply(docs: list[dict]) -> None:
        container = _collector(docs)["spec"]["template"]["spec"]["containers"][0]
        container["args"] = edit(container["args"])
    return apply


def _on_empty_dir(docs: list[dict]) -> None:
    workload = _collector(docs)
    del workload["spec"]["volumeClaimTemplates"]
    workload["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]


def _read_only(docs: list[dict]) -> None:
    _collector(docs)["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["readOnly"] = True


def _headless_with_port(docs: list[dict]) -> None:
    find(docs, "Service", "acme-metrics-headless")["spec"]["ports"] = [
        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}]


def _monitor_by_target_port(docs: list[dict]) -> None:
    endpoint = find(docs, "ServiceMonitor", "acme-metrics")["spec"]["endpoints"][0]
    del endpoint["port"]
    endpoint["targetPort"] = 8080


BROKEN = [
    ("two-replicas", "collector.single-writer", _replicas(2), {(COLLECTOR, "spec.replicas")}),
    ("three-replicas", "collector.single-writer", _replicas(3), {(COLLECTOR, "spec.replicas")}),
    ("deployment-rolling", "collector.single-writer", _as_deployment, {("Deployment/acme/acme-metrics", "kind")}),
    ("hpa", "collector.single-writer", _with_hpa,
     {("HorizontalPodAutoscaler/acme/acme-metrics", "spec.scaleTargetRef")}),
    ("no-state-file", "collector.persisted-state",
     _args(lambda args: [a for a in args if not a.startswith("--persistence.file")]), {(COLLECTOR, f"{CONTAINER}.args")}),
    ("state-file-off-volume", "collector.persisted-state",
     _args(lambda args: [("--persistence.file=/tmp/pushgateway.state" if a.startswith("--persistence.file") else a)
                         for a in args]), {(COLLECTOR, f"{CONTAINER}.args")}),
    ("state-on-empty-dir", "collector.persisted-state", _on_empty_dir, {(COLLECTOR, f"{CONTAINER}.volumeMounts")}),
    ("state-read-only", "collector.persisted-state", _read_only, {(COLLECTOR, f"{CONTAINER}.volumeMounts")}),
    ("headless-service-with-port", "collector.scraped-once", _headless_with_port,
     {("ServiceMonitor/acme/acme-metrics", "spec.selector")}),
    ("monitor-by-target-port", "collector.scraped-once", _monitor_by_target_port,
     {("ServiceMonitor/acme/acme-metrics", "spec.selector")}),
]


@pytest.mark.parametrize(("check_id", "breaks", "expected"), [row[1:] for row in BROKEN], ids=[row[0] for row in BROKEN])
def test_broken_collector_is_reported(documents, check_id, breaks, expected):
    broken = scenario(documents, environment=True)
    docs = [obj.doc for obj in broken.manifests]
    breaks(docs)
    assert findings(check_id, scenario(docs, environment=True)) == expected


def test_extra_replicas_are_no_persistence_finding(documents):
    """The two checks name different defects: more replicas, each persisted, is only a single-writer finding."""
    docs = [obj.doc for obj in scenario(documents).manifests]
    _replicas(2)(docs)
    assert findings("collector.persisted-state", scenario(docs)) == set()
