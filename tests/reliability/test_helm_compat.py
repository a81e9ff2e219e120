"""Helm 3 and Helm 4 render the same manifests for every scenario (`harness compat`, harness/publish/compat.py)."""

from __future__ import annotations

import base64
from pathlib import Path

from harness.publish.compat import compare, render_with
from harness.core.manifests import Manifests
from harness.render.pipeline import Selection
from harness.core.project import Project
from harness.render.scenario import Scenario
from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _secret(password: str, host: str = "acme-db") -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "acme-db-credentials", "namespace": "acme"},
            "data": {"password": _b64(password), "url": _b64(f"postgresql://acme:{password}@{host}:5432/acme")}}


def _scenario(*docs: dict) -> Scenario:
    return Scenario(name="case", manifests=Manifests.from_documents(docs, "acme", "acme"))


def test_every_scenario_renders_the_same_with_helm3_and_helm4():
    project = Project(REPO_ROOT)
    helm3 = pinned_tool("helm3")
    old = render_with(project, helm3, Selection(), None)
    new = render_with(project, None, Selection(), None)
    assert [s.name for s in old] == [s.name for s in new] and len(old) > 10
    assert compare(old, new) == []


def test_a_generated_password_is_not_a_difference_but_anything_else_in_the_secret_is():
    assert compare([_scenario(_secret("aaaa"))], [_scenario(_secret("bbbb"))]) == []
    differences = compare([_scenario(_secret("aaaa", host="old-db"))], [_scenario(_secret("bbbb"))])
    assert [(d.object, d.field, d.helm3) for d in differences] == [
        ("Secret/acme/acme-db-credentials", "data.url", "<secret value>")]  # named, never printed


def test_a_changed_field_is_named_with_its_path():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "acme-api", "namespace": "acme"},
                  "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "acme/api:1"}]}}}}
    changed = {**deployment, "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "acme/api:2"}]}}}}
    (difference,) = compare([_scenario(deployment)], [_scenario(changed)])
    assert (difference.field, difference.helm3, difference.helm4) == (
        "spec.template.spec.containers[0].image", "acme/api:1", "acme/api:2")
