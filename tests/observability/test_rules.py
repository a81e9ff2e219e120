"""The alert rules the chart ships pass their promtool unit tests, and every alert is tested both ways."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from rendered import REPO_ROOT
from pinned_tools import pinned_tool

RULES_DIR = REPO_ROOT / "charts" / "acme-platform" / "charts" / "observability" / "rules"
TESTS_DIR = Path(__file__).parent / "rules"
RULE_FILES = sorted(RULES_DIR.glob("*.yaml"))
TEST_FILES = sorted(TESTS_DIR.glob("*.test.yaml"))


@pytest.fixture(scope="module")
def promtool() -> Path:
    return pinned_tool("promtool")


def alerts() -> list[str]:
    return sorted(rule["alert"] for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"]
                  for rule in group["rules"] if "alert" in rule)


def alert_tests() -> list[dict]:
    return [case for path in TEST_FILES for test in yaml.safe_load(path.read_text())["tests"]
            for case in test.get("alert_rule_test") or []]


def test_rule_files_are_valid(promtool):
    proc = subprocess.run([promtool, "check", "rules", *RULE_FILES], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_unit_tests_pass(promtool):
    proc = subprocess.run([promtool, "test", "rules", *TEST_FILES], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_rule_file_has_a_test_file():
    tested = {(TESTS_DIR / f).resolve() for path in TEST_FILES for f in yaml.safe_load(path.read_text())["rule_files"]}
    assert {p.resolve() for p in RULE_FILES} <= tested


@pytest.mark.parametrize("alert", alerts(), ids=alerts())
def test_alert_has_a_firing_and_a_quiet_case(alert):
    cases = [case for case in alert_tests() if case["alertname"] == alert]
    assert any(case.get("exp_alerts") for case in cases), f"no test makes {alert} fire"
    assert any(not case.get("exp_alerts") for case in cases), f"no test keeps {alert} quiet"


def test_a_loosened_threshold_fails_the_tests(promtool, tmp_path):
    """The tests pin behaviour: a rule file with a 5% threshold raised to 50% must not pass them."""
    rules = tmp_path / "charts" / "acme-platform" / "charts" / "observability" / "rules"
    shutil.copytree(RULES_DIR, rules)
    api = rules / "api.yaml"
    assert "> 0.05" in api.read_text()
    api.write_text(api.read_text().replace("> 0.05", "> 0.5"))
    tests = tmp_path / "tests" / "observability" / "rules"
    shutil.copytree(TESTS_DIR, tests)
    proc = subprocess.run([promtool, "test", "rules", tests / "api.test.yaml"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "AcmeApiHighErrorRatio" in proc.stdout + proc.stderr
