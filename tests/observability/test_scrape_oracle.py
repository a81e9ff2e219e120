"""The harness's scrape-config generator held to prometheus-operator's own generator (tools/scrape-oracle,
prometheus-operator v0.93.0): for the charts' monitors and for monitors using every field the generator
translates, the two write the same jobs, rule for rule, except the operator's sharding rules."""

from __future__ import annotations

import copy

import pytest

from harness.core.manifests import Manifests
from harness.deploy.observability.scrape_config import Options, scrape_jobs
from harness.tools.scrape_oracle import operator_jobs
from pinned_tools import pinned_tool
from rendered import render

PROMETHEUS_VERSION = "v3.16.0"  # tools/promtool: the Prometheus the configuration is for
# The operator ends every job with these three: a hash of the address, modulo the shard count, and
# a keep on "$(SHARD)", which its config reloader replaces. One Prometheus without the reloader
# has no shards, so the harness writes none.
SHARDING = [
    {"action": "replace", "regex": "(.+);", "replacement": "$1", "source_labels": ["__address__", "__tmp_hash"],
     "target_label": "__tmp_hash"},
    {"action": "hashmod", "modulus": 1, "source_labels": ["__tmp_hash"], "target_label": "__tmp_hash"},
    {"action": "keep", "regex": "$(SHARD);|.+;.+", "source_labels": ["__tmp_hash", "__tmp_disable_sharding"]},
]


@pytest.fixture(scope="module")
def local() -> list[dict]:
    return render("acme-platform", "local") + render("acme-api", "local")


def monitor(kind: str, name: str, spec: dict) -> dict:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": kind, "metadata": {"name": name, "namespace": "acme"},
            "spec": spec}


API_SELECTOR = {"matchLabels": {"app.kubernetes.io/component": "api"}}
EXTRA = {
    "expressions-tls-relabelings": monitor("ServiceMonitor", "acme-api-extended", {
        "selector": {"matchLabels": {"app.kubernetes.io/component": "api"}, "matchExpressions": [
            {"key": "app.kubernetes.io/name", "operator": "In", "values": ["acme-api", "api"]},
            {"key": "tier", "operator": "NotIn", "values": ["canary"]},
            {"key": "app.kubernetes.io/instance", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"}]},
        "jobLabel": "app.kubernetes.io/name", "targetLabels": ["app.kubernetes.io/version"], "podTargetLabels": ["app"],
        "endpoints": [{"port": "metrics", "scheme": "https", "honorLabels": True, "honorTimestamps": False,
                       "params": {"format": ["prometheus"]}, "followRedirects": False, "enableHttp2": False,
                       "tlsConfig": {"caFile": "/etc/ca.crt", "serverName": "acme-api.acme.svc", "insecureSkipVerify": False},
                       "relabelings": [{"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node",
                                        "action": "replace"},
                                       {"regex": "__meta_kubernetes_pod_label_(.+)", "action": "labelmap"}],
                       "metricRelabelings": [{"sourceLabels": ["__name__"], "regex": "go_.*", "action": "drop"}],
                       "filterRunning": False},
                      {"port": "http", "path": "/healthz/live", "interval": "1m"}]}),
    "target-ports": monitor("ServiceMonitor", "acme-api-by-target-port", {
        "selector": API_SELECTOR, "namespaceSelector": {"any": True},
        "endpoints": [{"targetPort": "metrics"}, {"targetPort": 9090}]}),
    "pod-monitor": monitor("PodMonitor", "acme-api-pods", {
        "selector": API_SELECTOR, "jobLabel": "app.kubernetes.io/name", "podTargetLabels": ["app.kubernetes.io/version"],
        "podMetricsEndpoints": [{"port": "metrics", "interval": "15s", "scrapeTimeout": "5s", "path": "/metrics"},
                                {"portNumber": 9090, "relabelings": [{"targetLabel": "source", "replacement": "pod"}]}]}),
}


def both(documents: list[dict]) -> tuple[list[dict], list[dict]]:
    """(ours, the operator's without its sharding rules) for the monitors among `documents`."""
    ours = scrape_jobs(Manifests.from_documents(copy.deepcopy(documents), "acme-platform", "acme"), Options())
    monitors = [d for d in documents if d.get("kind") in ("ServiceMonitor", "PodMonitor")]
    theirs = operator_jobs(pinned_tool("scrape-oracle"), PROMETHEUS_VERSION,
                           [m for m in monitors if m["kind"] == "ServiceMonitor"],
                           [m for m in monitors if m["kind"] == "PodMonitor"])
    for job in theirs:
        assert job["relabel_configs"][-3:] == SHARDING, job["job_name"]
        job["relabel_configs"] = job["relabel_configs"][:-3]
    return ours, theirs


def test_the_charts_monitors(local):
    ours, theirs = both(local)
    assert [j["job_name"] for j in theirs] == ["serviceMonitor/acme/acme-api/0", "serviceMonitor/acme/acme-metrics/0"]
    assert ours == theirs


@pytest.mark.parametrize("case", sorted(EXTRA), ids=sorted(EXTRA))
def test_every_translated_field(local, case):
    ours, theirs = both([*local, EXTRA[case]])
    assert len(theirs) > 2
    assert ours == theirs
