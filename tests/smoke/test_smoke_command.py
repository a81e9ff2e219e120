"""The smoke command writes the same report formats as `harness check`: table, JUnit and JSON.
The cluster side is faked here (a healthy snapshot); tests/e2e runs the command for real."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from harness import cli
from harness.checks.registry import Subject, all_checks
from harness.deploy import target
from harness.deploy.cluster import client
from harness.live import snapshot
from harness.live.snapshot import Snapshot
from prometheus_site import group, rule
from smoke_objects import release_secret


@pytest.fixture
def fake_cluster(monkeypatch, healthy: Snapshot) -> Snapshot:
    monkeypatch.setattr(target, "target_for", lambda env, kubeconfig, context: target.Target(env, Path("kubeconfig"), "ctx"))
    monkeypatch.setattr(client, "api_client", lambda kubeconfig, context: object())
    monkeypatch.setattr(client, "reachable", lambda api, timeout: True)
    monkeypatch.setattr(snapshot, "load", lambda api, namespace: healthy)
    return healthy


def smoke(args: list[str]) -> int:
    return cli.main(["smoke", *args])


def test_junit_and_json_reports_beside_the_table(fake_cluster, tmp_path, capsys):
    junit, report = tmp_path / "reports" / "smoke-local.xml", tmp_path / "reports" / "smoke-local.json"
    assert smoke(["--env", "local", "--junit", str(junit), "--json", str(report)]) == 0
    table = capsys.readouterr().out
    assert "pod.healthy" in table and "SKIP" in table
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("name") == "local/acme" and suite.get("tests") == str(len(all_checks(Subject.SNAPSHOT)))
    assert suite.get("failures") == "0" and suite.find("testcase[@name='http.tls']/skipped") is not None
    data = json.loads(report.read_text())
    # No data plane and no Prometheus without the real node: the HTTP, observability and wire checks say so.
    assert data["findings"] == [] and {s["check"] for s in data["skipped"]} == {
        c.id for c in all_checks(Subject.SNAPSHOT) if c.family in ("http", "observability")} | {"networkpolicy.wire"}


def test_a_failed_check_is_a_junit_failure_and_exit_1(fake_cluster, tmp_path):
    fake_cluster.pdbs[0]["status"]["disruptionsAllowed"] = 0
    junit = tmp_path / "smoke.xml"
    assert smoke(["--env", "local", "--only", "pdb", "--format", "json", "--output", str(tmp_path / "s.json"),
                       "--junit", str(junit)]) == 1
    case = ET.parse(junit).getroot().find("testsuite/testcase[@name='pdb.allows-disruption']")
    assert "status.disruptionsAllowed" in case.find("failure").text
    assert json.loads((tmp_path / "s.json").read_text())["findings"][0]["check"] == "pdb.allows-disruption"


@pytest.mark.parametrize(("args", "message"), [
    (["--only", "nosuch"], "unknown check id `nosuch`"),
    (["--only", "tls.hosts"], "`tls.hosts` names render checks, not smoke checks"),
    (["--junit", "/proc/smoke.xml"], "/proc/smoke.xml"),
], ids=["unknown-id", "render-check", "unwritable-junit"])
def test_bad_input_is_one_line_and_exit_2(fake_cluster, capsys, args, message):
    assert smoke(["--env", "local", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


@pytest.mark.parametrize("url", ["prometheus:9090", "http://prometheus:99999", "http://:9090", "http://p:9090/?x=1"],
                         ids=["no-scheme", "port-out-of-range", "no-host", "query"])
def test_a_malformed_prometheus_url_is_one_line_and_exit_2(capsys, url):
    with pytest.raises(SystemExit) as exited:
        smoke(["--prometheus", url])
    err = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and len(err) == 1, err
    assert f"argument --prometheus: must be an http(s)://HOST[:PORT] URL, got {url!r}" in err[0]


def test_a_named_prometheus_is_asked_on_any_environment(fake_cluster, prometheus_site, capsys):
    """--prometheus points the observability checks at the environment's own Prometheus."""
    rules = {"kind": "PrometheusRule", "metadata": {"name": "acme-api", "namespace": "acme"},
             "spec": {"groups": [{"name": "acme-api", "rules": [{"alert": "AcmeApiDown", "expr": "up == 0"}]}]}}
    fake_cluster.release_secrets[0] = release_secret("acme-platform", 1, "deployed", [rules])
    prometheus_site.answers.groups = [group("acme-api", rule("AcmeApiDown"))]
    assert smoke(["--env", "staging", "--only", "observability", "--prometheus", prometheus_site.url + "/"]) == 0
    table = capsys.readouterr().out
    assert re.search(r"observability.rules-loaded +PASS", table), table
    assert re.search(r"observability.scraped +SKIP +skipped: no ServiceMonitor or PodMonitor released", table), table
    prometheus_site.answers.groups[0]["rules"][0]["health"] = "err"
    assert smoke(["--env", "staging", "--only", "observability.rules-loaded", "--prometheus", prometheus_site.url]) == 1
