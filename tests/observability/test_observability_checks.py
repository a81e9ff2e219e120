"""The observability checks pass on what staging renders and fail on a manifest broken on purpose."""

from __future__ import annotations

import copy

import pytest

from rendered import find, findings, render, scenario

RULES = "PrometheusRule/acme/acme-api"


@pytest.fixture(scope="module")
def staging() -> list[dict]:
    """acme-platform and acme-api as staging renders them (the monitor and its Service)."""
    return render("acme-platform", "staging") + render("acme-api", "staging")


def test_staging_renders_monitors_rules_and_dashboards(staging):
    kinds = {(d["kind"], d["metadata"]["name"]) for d in staging}
    assert {("ServiceMonitor", "acme-api"), ("ServiceMonitor", "acme-metrics"), ("PrometheusRule", "acme-api"),
            ("PrometheusRule", "acme-backups"), ("ConfigMap", "acme-dashboard-acme-service")} <= kinds


@pytest.mark.parametrize("check_id", ["monitoring.alert-metadata", "monitoring.monitor-target"],
                         ids=["alert-metadata", "monitor-target"])
def test_check_passes_on_staging(staging, check_id):
    assert findings(check_id, scenario(staging, environment=True)) == set()


def _broken(staging: list[dict], break_it) -> list[dict]:
    documents = copy.deepcopy(staging)
    break_it(documents)
    return documents


def test_alert_without_severity_is_reported(staging):
    def drop(d):
        find(d, "PrometheusRule", "acme-api")["spec"]["groups"][0]["rules"][1]["labels"].pop("severity")
    assert findings("monitoring.alert-metadata", scenario(_broken(staging, drop))) == {
        (RULES, "spec.groups[0].rules[1].labels.severity")}


def test_alert_with_unknown_severity_is_reported(staging):
    def page(d):
        find(d, "PrometheusRule", "acme-api")["spec"]["groups"][0]["rules"][0]["labels"]["severity"] = "page"
    assert findings("monitoring.alert-metadata", scenario(_broken(staging, page))) == {
        (RULES, "spec.groups[0].rules[0].labels.severity")}


@pytest.mark.parametrize("runbook", [None, "", "runbooks/acmeapidown.md"], ids=["missing", "empty", "relative"])
def test_alert_without_absolute_runbook_is_reported(staging, runbook):
    def drop(d):
        annotations = find(d, "PrometheusRule", "acme-api")["spec"]["groups"][0]["rules"][2]["annotations"]
        annotations.pop("runbook_url")
        if runbook is not None:
            annotations["runbook_url"] = runbook
    assert findings("monitoring.alert-metadata", scenario(_broken(staging, drop))) == {
        (RULES, "spec.groups[0].rules[2].annotations.runbook_url")}


def test_monitor_on_a_port_the_service_lacks_is_reported(staging):
    def rename(d):
        find(d, "ServiceMonitor", "acme-api")["spec"]["endpoints"][0]["port"] = "prometheus"
    assert findings("monitoring.monitor-target", scenario(_broken(staging, rename), environment=True)) == {
        ("ServiceMonitor/acme/acme-api", "spec.endpoints[0].port")}


def test_monitor_selecting_no_service_is_reported(staging):
    def relabel(d):
        find(d, "ServiceMonitor", "acme-metrics")["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] = "collector"
    assert findings("monitoring.monitor-target", scenario(_broken(staging, relabel), environment=True)) == {
        ("ServiceMonitor/acme/acme-metrics", "spec.selector")}
