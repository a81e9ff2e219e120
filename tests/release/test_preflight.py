"""Upgrade safety against what is deployed: the live revisions (decoded from Helm's release
Secrets) are the 'before' side, so a change Kubernetes cannot apply in place stops the release."""

from __future__ import annotations

import json
from typing import Any

from release_fakes import helm_release_secret

from harness.core.project import Project
from harness.publish.environments import environment_scenarios
from harness.deploy.release.preflight import deployed_baseline, run_upgrade_safety


def deployed_as_rendered(project: Project, mutate=None) -> list[dict[str, Any]]:
    """Release Secrets holding today's local render (optionally changed), one per release."""
    [scenario] = environment_scenarios(project, ["local"])
    by_release: dict[str, list[dict[str, Any]]] = {}
    for obj in scenario.manifests:
        doc = json.loads(json.dumps(obj.doc))
        if mutate:
            mutate(doc)
        by_release.setdefault(obj.release, []).append(doc)
    return [helm_release_secret(name, 1, docs) for name, docs in by_release.items()]


def test_nothing_deployed_is_a_first_install() -> None:
    assert deployed_baseline([], "acme") is None
    ok, detail, _ = run_upgrade_safety(Project.discover(), "local", None)
    assert ok and "first install" in detail


def test_deployed_equal_to_the_render_is_safe() -> None:
    project = Project.discover()
    baseline = deployed_baseline(deployed_as_rendered(project), "acme")
    ok, detail, output = run_upgrade_safety(project, "local", baseline)
    assert ok, output


def test_a_selector_change_against_the_deployed_revision_fails() -> None:
    def old_selector(doc: dict[str, Any]) -> None:
        if doc.get("kind") == "Deployment" and doc["metadata"]["name"] == "acme-api":
            doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/legacy"] = "true"

    project = Project.discover()
    baseline = deployed_baseline(deployed_as_rendered(project, old_selector), "acme")
    ok, detail, output = run_upgrade_safety(project, "local", baseline)
    assert not ok and "1 failed" in detail
    assert "upgrade.immutable-fields" in output and "Deployment/acme/acme-api" in output
