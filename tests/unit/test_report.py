"""Reports: findings name check, object and field; skipped checks are never counted as passed."""

from __future__ import annotations

import json
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from harness.core.manifests import ObjectRef
from harness.checks.run import Outcome
from harness.checks.registry import Finding, Severity, Subject, all_checks
from harness.checks.report import catalog, to_json, to_junit, to_table


@pytest.fixture
def outcomes() -> list[Outcome]:
    checks = {c.id: c for c in all_checks()}
    finding = Finding("probes.readiness", Severity.ERROR, ObjectRef("Deployment", "acme", "acme-api"),
                      "spec.template.spec.containers[0].readinessProbe", "no readinessProbe", "acme-api/defaults")
    return [Outcome("acme-api/defaults", checks["probes.readiness"], [finding]),
            Outcome("acme-api/defaults", checks["schema.kubernetes"], skipped="no API server"),
            Outcome("acme-api/defaults", checks["probes.startup"])]


def test_table_names_check_object_field_and_skips(outcomes):
    table = to_table(outcomes)
    assert "probes.readiness" in table and "Deployment/acme/acme-api" in table and "readinessProbe" in table
    assert "SKIPPED schema.kubernetes" in table
    assert "1 passed, 1 failed (1 findings), 1 skipped" in table


def test_junit_has_failure_and_skipped(outcomes):
    suite = ET.fromstring(to_junit(outcomes)).find("testsuite")
    assert suite.get("failures") == "1" and suite.get("skipped") == "1" and suite.get("tests") == "3"
    assert suite.find("testcase[@name='schema.kubernetes']/skipped") is not None
    assert "Deployment/acme/acme-api" in suite.find("testcase[@name='probes.readiness']/failure").text


def test_json_lists_findings_and_skips(outcomes):
    data = json.loads(to_json(outcomes))
    assert data["findings"][0]["object"] == "Deployment/acme/acme-api"
    assert data["skipped"][0]["check"] == "schema.kubernetes"


@pytest.fixture
def smoke_outcomes() -> list[Outcome]:
    checks = {c.id: c for c in all_checks(Subject.SNAPSHOT)}
    finding = Finding("pod.healthy", Severity.ERROR, ObjectRef("Pod", "acme", "acme-api-1"), "status.phase",
                      "Pending for more than 120 s", "local/acme")
    return [Outcome("local/acme", checks["pod.healthy"], [finding]),
            Outcome("local/acme", checks["http.tls"], skipped="no data plane"),
            Outcome("local/acme", checks["service.endpoints"])]


def test_smoke_table_lists_every_check_with_its_result(smoke_outcomes):
    lines = to_table(smoke_outcomes).splitlines()
    assert lines[0].split() == ["CHECK", "RESULT", "DETAIL"]
    assert lines[1].split()[:2] == ["pod.healthy", "FAIL"] and "Pod/acme/acme-api-1 status.phase" in lines[1]
    assert lines[2].split()[:3] == ["http.tls", "SKIP", "skipped:"]
    assert lines[3].split() == ["service.endpoints", "PASS"]
    assert lines[4] == "1 snapshots, 3 check runs: 1 passed, 1 failed (1 findings), 1 skipped"


def test_smoke_junit_is_one_suite_per_snapshot(smoke_outcomes):
    suite = ET.fromstring(to_junit(smoke_outcomes)).find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("local/acme", "3", "1", "1")
    assert suite.find("testcase[@name='http.tls']/skipped").get("message") == "no data plane"
    assert "Pending for more than 120 s" in suite.find("testcase[@name='pod.healthy']/failure").text


def test_smoke_json_names_the_snapshot(smoke_outcomes):
    data = json.loads(to_json(smoke_outcomes))
    assert data["findings"][0]["snapshot"] == "local/acme" and data["findings"][0]["check"] == "pod.healthy"
    assert data["skipped"] == [{"check": "http.tls", "snapshot": "local/acme", "reason": "no data plane"}]


def test_a_warning_is_reported_but_does_not_fail(outcomes):
    probe = outcomes[0]
    warned = Outcome(probe.subject, probe.check, [replace(probe.findings[0], severity=Severity.WARNING)])
    suite = ET.fromstring(to_junit([warned])).find("testsuite")
    assert suite.get("failures") == "0" and "no readinessProbe" in suite.find("testcase/system-out").text
    assert "warning" in to_table([warned]) and "1 passed, 0 failed (1 findings)" in to_table([warned])


def test_catalog_lists_render_and_smoke_checks_with_their_subject():
    rows = {line.split()[0]: line.split()[1:3] for line in catalog(all_checks()).splitlines()}
    assert rows["tls.hosts"] == ["error", "scenario"] and rows["certificate.valid"] == ["error", "snapshot"]
    assert len(rows) == len(all_checks())
