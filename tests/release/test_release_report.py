"""The release report: Markdown says what changed and what was verified; JUnit counts failures
and skips (a skipped step or check is never a pass)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from harness.checks.run import Status
from harness.deploy.release.outcome import Exit, ReleaseRecord, Step
from harness.deploy.release.report import junit, markdown

from release_fakes import smoke_result


@pytest.fixture
def rolled_back() -> ReleaseRecord:
    return ReleaseRecord(
        env="local", context="kwok-acme",
        steps=[Step("preflight", Status.SKIP, 0, "skipped on request (--skip-preflight)"),
               Step("helmfile diff", Status.PASS, 1.5, "changes to apply", "+  - shop.acme.com"),
               Step("helmfile apply", Status.PASS, 20, "applied"),
               Step("smoke", Status.FAIL, 30, "smoke: 0 passed, 1 failed", "table"),
               Step("rollback", Status.PASS, 5, "acme-ui->2"),
               Step("smoke after rollback", Status.PASS, 3, "smoke: 1 passed")],
        before={"acme-ui": 2, "acme-api": 7}, after={"acme-ui": 3, "acme-api": 7}, rolled_back={"acme-ui": 2},
        smoke=smoke_result(False), smoke_after_rollback=smoke_result(True), exit=Exit.ROLLED_BACK)


def test_markdown_names_the_verdict_the_change_and_both_smoke_runs(rolled_back: ReleaseRecord) -> None:
    text = markdown(rolled_back)
    assert "**Result: exit 5 — smoke failed after the deploy: rolled back" in text
    assert "| acme-ui | 2 | 3 | 2 |" in text
    assert "acme-api |" not in text, "an unchanged release is not listed as changed"
    assert "```diff\n+  - shop.acme.com\n```" in text
    assert "## Smoke checks after the deploy" in text and "## Smoke checks after the rollback" in text
    assert "| `deployment.rolled-out` | FAIL |" in text and "| preflight | SKIP |" in text


def test_junit_counts_failures_and_skips(rolled_back: ReleaseRecord) -> None:
    suites = ET.fromstring(junit(rolled_back))
    by_name = {s.get("name"): s for s in suites}
    steps = by_name["release/local"]
    assert (steps.get("tests"), steps.get("failures"), steps.get("skipped")) == ("6", "1", "1")
    assert steps.find("testcase[@name='preflight']/skipped") is not None
    assert by_name["smoke/local"].get("failures") == "1"
    assert by_name["smoke-after-rollback/local"].get("failures") == "0"


def test_a_release_without_changes_says_so() -> None:
    record = ReleaseRecord(env="local", context="c", steps=[Step("smoke", Status.PASS, 1, "ok")],
                           before={"acme-ui": 2}, after={"acme-ui": 2}, smoke=smoke_result(True))
    assert "No release changed." in markdown(record)
    assert "exit 0 — released" in markdown(record)
