"""The render cache: a hit when nothing changed, a miss as soon as a chart file or value changes."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.core.project import Project
from harness.render.renderer import Renderer, RenderJob
from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "values.yaml": "greeting: hello\n",
    "templates/configmap.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n  greeting: {{ .Values.greeting | quote }}\n"),
}


@pytest.fixture
def tiny_project(tmp_path) -> Iterator[Project]:
    pinned_tool("helm")
    for name, text in CHART.items():
        path = tmp_path / "charts" / "tiny" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / ".tools").symlink_to(REPO_ROOT / ".tools")
    yield Project(tmp_path)


@pytest.fixture
def renderer(tiny_project) -> Renderer:
    return Renderer(tiny_project, workers=2)


def job(project: Project, *values: Path) -> RenderJob:
    return RenderJob(project.charts_dir / "tiny", "tiny", "acme", tuple(values))


def greeting(result) -> str:
    return result.documents[0]["data"]["greeting"]


def test_unchanged_rerun_is_a_hit(tiny_project, renderer):
    first = renderer.render(job(tiny_project))
    second = Renderer(tiny_project).render(job(tiny_project))
    assert (first.cached, second.cached) == (False, True)
    assert second.documents == first.documents


def test_chart_file_change_is_a_miss(tiny_project, renderer):
    renderer.render(job(tiny_project))
    (tiny_project.charts_dir / "tiny" / "values.yaml").write_text("greeting: changed\n")
    after = Renderer(tiny_project).render(job(tiny_project))
    assert (after.cached, greeting(after)) == (False, "changed")


def test_values_file_change_is_a_miss(tiny_project, renderer, tmp_path):
    layer = tmp_path / "layer.yaml"
    layer.write_text("greeting: one\n")
    renderer.render(job(tiny_project, layer))
    layer.write_text("greeting: two\n")
    after = Renderer(tiny_project).render(job(tiny_project, layer))
    assert (after.cached, greeting(after)) == (False, "two")


def test_failed_render_reports_helm_error(tiny_project, renderer):
    (tiny_project.charts_dir / "tiny" / "templates" / "broken.yaml").write_text("{{ fail \"greeting is wrong\" }}\n")
    result = renderer.render(job(tiny_project))
    assert result.error and "greeting is wrong" in result.error and "\n" not in result.error
