"""Render a chart with one environment's values through the harness (the pipeline make test-render
uses), and run one registered check on the result. Shared by tests/observability and tests/backup."""

from __future__ import annotations

import copy
from pathlib import Path

from harness.core.manifests import Manifests
from harness.checks.registry import all_checks
from harness.core.project import Project
from harness.render.renderer import Renderer, RenderJob
from harness.render.scenario import Scenario

REPO_ROOT = Path(__file__).resolve().parents[2]


def render(chart: str, environment: str) -> list[dict]:
    """The chart with values/<chart>/<environment>.yaml."""
    return render_values(chart, (Project(REPO_ROOT).values_dir / chart / f"{environment}.yaml",))


def render_values(chart: str, values: tuple[Path, ...]) -> list[dict]:
    project = Project(REPO_ROOT)
    job = RenderJob(project.charts_dir / chart, chart, "acme", values, label=f"{chart} with {len(values)} values files")
    result = Renderer(project, use_cache=False).render(job)
    assert result.error is None, result.error
    return result.documents


def scenario(documents: list[dict], environment: bool = False) -> Scenario:
    """A scenario over deep copies, so a test may break them freely."""
    manifests = Manifests.from_documents(copy.deepcopy(documents), "acme-platform", "acme")
    return Scenario(name="test", manifests=manifests, is_environment=environment)


def find(documents: list[dict], kind: str, name: str) -> dict:
    return next(d for d in documents if d.get("kind") == kind and d["metadata"]["name"] == name)


def findings(check_id: str, scenario: Scenario) -> set[tuple[str, str]]:
    """(object, field) of every finding of one check: what the tests assert on."""
    check = next(c for c in all_checks() if c.id == check_id)
    return {(str(f.object), f.field) for f in check.run(scenario, check)}
