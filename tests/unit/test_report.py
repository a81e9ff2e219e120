"""Reports: findings name check, object and field; skipped checks are never counted as passed."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from harness.core.manifests import ObjectRef
from harness.checks.run import Outcome
from harness.checks.registry import Finding, Severity, all_checks
from harness.checks.report import to_json, to_junit, to_table


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
