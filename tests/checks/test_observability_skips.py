"""The observability smoke checks skip, saying why, where they have nothing to ask or judge (the
cases must make them run, so their skips are held here)."""

from __future__ import annotations

import pytest

from harness.checks.registry import Subject, all_checks
from harness.checks.run import run_smoke
from harness.live.settings import ObservabilitySettings, SmokeSettings
from smoke_objects import healthy_snapshot

CHECKS = [c for c in all_checks(Subject.SNAPSHOT) if c.family == "observability"]
LOGS = [c for c in CHECKS if c.id == "observability.logs-shipped"]
PROMETHEUS = [c for c in CHECKS if c not in LOGS]  # the checks that ask Prometheus
SCRAPED_RULES = [c for c in CHECKS if c.id in ("observability.scraped", "observability.rules-loaded")]


def skips(settings: SmokeSettings, checks, ca) -> dict[str, str]:
    return {o.check.id: o.skipped for o in run_smoke(healthy_snapshot(ca), settings, checks)}


def test_without_a_prometheus_every_check_that_asks_it_skips(ca):
    assert skips(SmokeSettings(), PROMETHEUS, ca) == {
        c.id: "no Prometheus the harness reaches in this environment" for c in PROMETHEUS}


def test_without_a_log_store_no_request_is_sent(ca):
    settings = SmokeSettings(data_plane=True, observability=ObservabilitySettings(prometheus_url="http://127.0.0.1:9"))
    assert skips(settings, LOGS, ca) == {
        "observability.logs-shipped": "no log store the harness reaches in this environment"}


def test_without_a_data_plane_no_request_reaches_the_api(ca):
    settings = SmokeSettings(observability=ObservabilitySettings(logs_url="http://127.0.0.1:9"))
    assert skips(settings, LOGS, ca) == {"observability.logs-shipped": "no data plane, so no request reaches the API"}


def test_without_released_monitors_or_rules_there_is_nothing_to_judge(ca):
    settings = SmokeSettings(observability=ObservabilitySettings(prometheus_url="http://127.0.0.1:9"))
    assert skips(settings, SCRAPED_RULES, ca) == {"observability.scraped": "no ServiceMonitor or PodMonitor released",
                                                  "observability.rules-loaded": "no PrometheusRule released"}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_each_has_a_description(check):
    assert check.description


def test_without_a_receiver_no_alert_is_sent(ca):
    settings = SmokeSettings(observability=ObservabilitySettings(prometheus_url="http://127.0.0.1:9"))
    check = [c for c in CHECKS if c.id == "observability.alert-delivered"]
    assert skips(settings, check, ca) == {
        "observability.alert-delivered": "no Alertmanager receiver the harness reads in this environment"}


@pytest.mark.parametrize("found", [{"synthetic_rules_dir": "/tmp/rules"}, {"receiver_address": "127.0.0.1:9"}],
                         ids=["no-receiver", "no-rules-directory"])
def test_a_receiver_needs_its_rules_directory_and_the_other_way_round(ca, found):
    settings = SmokeSettings(observability=ObservabilitySettings(prometheus_url="http://127.0.0.1:9", **found))
    check = [c for c in CHECKS if c.id == "observability.alert-delivered"]
    assert skips(settings, check, ca) == {
        "observability.alert-delivered": "no Alertmanager receiver the harness reads in this environment"}
