"""Security posture of what each environment deploys: least-privilege RBAC, no ServiceAccount
token where nothing talks to the API, every image pinnable by digest, Secret values nowhere
but in Secrets. The live-cluster side (Pod Security admission) is test_cluster_posture.py."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.render.helmfile import environment_names
from harness.checks.run import run_checks
from harness.checks.registry import Subject, all_checks
from harness.checks.report import FORMATS
from harness.core.project import Project
from harness.publish.environments import environment_scenarios
from posture import images, leaks, secret_values, token_mounts, wildcard_rules

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(REPO_ROOT)
ENVIRONMENTS = environment_names(PROJECT)
DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    """env -> every object `helmfile -e ENV` deploys."""
    return {s.environment: [o.doc for o in s.manifests] for s in environment_scenarios(PROJECT, ENVIRONMENTS)}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_wildcard_rbac(rendered, env):
    assert wildcard_rules(rendered[env]) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_service_account_token_mounted(rendered, env):
    """None of Acme's pods calls the Kubernetes API, so none gets a token to steal."""
    assert token_mounts(rendered[env]) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_secret_values_appear_only_in_secrets(rendered, env):
    docs = rendered[env]
    assert leaks(docs, secret_values(docs)) == []


def test_reports_hold_no_secret_value():
    """Every report format of every check over every environment: findings name objects and
    fields, never the values of Secrets."""
    scenarios = environment_scenarios(PROJECT, ENVIRONMENTS)
    secrets = set().union(*(secret_values([o.doc for o in s.manifests]) for s in scenarios))
    outcomes = run_checks(scenarios, all_checks(Subject.SCENARIO))
    reports = {name: render(outcomes) for name, render in FORMATS.items()}
    assert secrets and not [name for name, text in reports.items() if any(v in text for v in secrets)]


def test_generated_password_is_rendered_only_into_its_secret(rendered):
    """The local environment generates the database password: the leak test above has a real value to look for."""
    assert any(len(v) >= 16 for v in secret_values(rendered["local"]))


def _digest_overlay(values: Any) -> Any:
    """The chart's values with every image's `digest` set (an image map has repository and digest)."""
    if isinstance(values, dict):
        if {"repository", "digest"} <= values.keys():
            return {"digest": DIGEST}
        nested = {k: _digest_overlay(v) for k, v in values.items()}
        return {k: v for k, v in nested.items() if v}
    return None


def _chart_values(chart: Path) -> dict:
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    for sub in sorted((chart / "charts").glob("*/values.yaml")):  # local subcharts, under their name
        values[sub.parent.name] = {**(yaml.safe_load(sub.read_text()) or {}), **values.get(sub.parent.name, {})}
    return values


@pytest.mark.parametrize("chart", PROJECT.chart_names())
def test_every_image_is_pinnable_by_digest(chart, tmp_path):
    chart_dir = PROJECT.charts_dir / chart
    overlay = tmp_path / "digests.yaml"
    overlay.write_text(yaml.safe_dump(_digest_overlay(_chart_values(chart_dir))))
    seen = []
    for scenario in sorted((chart_dir / "ci").glob("*.yaml")):
        done = subprocess.run([str(PROJECT.tool("helm")), "template", chart, str(chart_dir), "--namespace", "acme",
                               "-f", str(scenario), "-f", str(overlay)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{scenario.name}: {done.stderr}"
        seen += images([d for d in yaml.safe_load_all(done.stdout) if d])
    assert seen, f"{chart}: no workload rendered"
    unpinned = sorted({f"{obj}: {image}" for obj, image in seen if not image.endswith("@" + DIGEST)})
    assert unpinned == []


# The predicates fail on broken objects (a test that cannot fail proves nothing).
def test_predicates_catch_broken_objects():
    role = {"kind": "ClusterRole", "metadata": {"name": "greedy"}, "rules": [{"apiGroups": [""], "verbs": ["*"],
                                                                              "resources": ["pods"]}]}
    assert wildcard_rules([role]) == ["ClusterRole/greedy rules[0].verbs"]
    pod = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
        "serviceAccountName": "sa", "containers": [{"name": "c", "image": "x:1",
                                                    "env": [{"name": "X", "value": "hunter2-hunter2"}]}]}}}}
    account = {"kind": "ServiceAccount", "metadata": {"name": "sa"}, "automountServiceAccountToken": False}
    assert token_mounts([pod]) == ["Deployment/d"]
    assert token_mounts([pod, account]) == []
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"p": base64.b64encode(b"hunter2-hunter2").decode()}}
    assert leaks([pod, secret], secret_values([secret])) == ["Deployment/d holds a Secret value"]
    assert images([pod]) == [("Deployment/d", "x:1")]
