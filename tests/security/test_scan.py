"""The opt-in policy scan (`harness scan`, checkov): exception handling without checkov, and —
when the pinned checkov is installed (`make scan`) — zero blocking findings on every
environment, while a privileged pod is caught."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.publish.scan import classify, find_checkov, load_exceptions, unused
from harness.tools.checkov import failed_checks

REPO_ROOT = Path(__file__).resolve().parents[2]


def _failed(check: str, resource: str, file: str = "/local.yaml") -> dict:
    return {"check_id": check, "check_name": "a title", "resource": resource, "file_path": file}


@pytest.fixture
def exceptions_file(tmp_path) -> Path:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - check: CKV_K8S_43\n    resources: [Deployment/acme-*]\n    reason: tags, by design\n")
    return path


def test_accepted_only_for_the_named_resources(exceptions_file):
    findings = classify([_failed("CKV_K8S_43", "Deployment.acme.acme-api"),
                         _failed("CKV_K8S_43", "StatefulSet.default.acme-db"),
                         _failed("CKV_K8S_16", "Deployment.acme.acme-api")],
                        {"local.yaml": "local"}, load_exceptions(exceptions_file))
    assert [(f.check, f.resource, bool(f.accepted)) for f in findings] == [
        ("CKV_K8S_16", "Deployment/acme-api", False), ("CKV_K8S_43", "Deployment/acme-api", True),
        ("CKV_K8S_43", "StatefulSet/acme-db", False)]


def test_an_exception_that_matches_nothing_is_stale(exceptions_file):
    exceptions = load_exceptions(exceptions_file)
    assert unused(exceptions, classify([], {}, exceptions)) == exceptions


@pytest.mark.parametrize(("text", "message"), [
    ("exceptions:\n  - check: CKV_K8S_43\n    resources: ['*']\n", r"exceptions\[0\]\.reason"),
    ("exceptions:\n  - check: K8S_43\n    reason: r\n", r"exceptions\[0\]\.check"),
    ("exceptions:\n  - check: CKV_K8S_43\n    reason: r\n    until: 2027\n", r"exceptions\[0\]: expected keys"),
    ("exceptions:\n  - check: CKV_K8S_43\n    reason: r\n    resources: Deployment/x\n", r"resources"),
    ("- just a list\n", r"`exceptions` list"),
], ids=["no-reason", "not-a-checkov-id", "unknown-key", "resources-not-a-list", "not-a-mapping"])
def test_malformed_exceptions_are_refused(tmp_path, text, message):
    path = tmp_path / "exceptions.yaml"
    path.write_text(text)
    with pytest.raises(HarnessError, match=message):
        load_exceptions(path)


def test_the_project_exceptions_all_have_reasons():
    assert all(a.reason for a in load_exceptions(REPO_ROOT / "policy" / "scan-exceptions.yaml"))


def test_missing_checkov_is_one_clear_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "ACME_ROOT": str(REPO_ROOT), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-m", "harness", "scan", "--checkov", str(tmp_path / "checkov")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--checkov" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def checkov() -> Path:
    try:
        return find_checkov(Project(REPO_ROOT))
    except HarnessError as err:
        pytest.skip(f"opt-in scan: {err}")


def test_every_environment_scans_clean(checkov):
    done = subprocess.run([sys.executable, "-m", "harness", "scan", "--checkov", str(checkov), "--format", "json"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    findings = json.loads(done.stdout)
    blocking = [f for f in findings if not f["accepted"]]
    assert done.returncode == 0 and blocking == [], blocking or done.stderr


def test_a_privileged_pod_is_a_blocking_finding(checkov, tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: acme}\n"
        "spec:\n  containers:\n  - name: c\n    image: x@sha256:" + "0" * 64 + "\n"
        "    securityContext: {privileged: true}\n")
    failed = {f["check_id"] for f in failed_checks(checkov, tmp_path)}
    assert "CKV_K8S_16" in failed  # "Container should not be privileged"
