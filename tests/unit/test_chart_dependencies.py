"""file:// chart dependencies: built once per change of their source, never again while it holds.

`make deps` builds them before anything else runs; helmfile, ct and the renderer then find them
fresh. A rebuild rewrites charts/*/charts/ through a temporary tmpcharts-<pid> directory, which
breaks any command reading or copying the checkout at that moment, so a second build with
nothing changed is a defect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.render.cache import TreeDigests
from harness.render.renderer import Renderer
from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]

FILES = {
    "charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
    "charts/lib/templates/_name.tpl": '{{- define "lib.name" -}}{{ .Release.Name }}{{- end -}}\n',
    # the chart that tests the library, inside the library's tree (as acme-lib's consumer is)
    "charts/lib/tests/consumer/Chart.yaml": ("apiVersion: v2\nname: consumer\nversion: 0.1.0\ndependencies:\n"
                                             "  - name: lib\n    version: 0.1.0\n    repository: file://../..\n"),
    "charts/app/Chart.yaml": ("apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
                              "  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n"),
}
ARCHIVES = ("charts/app/charts/lib-0.1.0.tgz", "charts/lib/tests/consumer/charts/lib-0.1.0.tgz")


@pytest.fixture
def project(tmp_path) -> Project:
    pinned_tool("helm")
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / ".tools").symlink_to(REPO_ROOT / ".tools")
    return Project(tmp_path)


def _built(project: Project) -> dict[str, int]:
    return {name: (project.root / name).stat().st_mtime_ns for name in ARCHIVES}


def test_every_chart_and_test_chart_of_the_tree_gets_its_archives(project):
    Renderer(project).ensure_tree_dependencies(project.root)
    assert all((project.root / name).is_file() for name in ARCHIVES)
    assert not list(project.root.rglob("tmpcharts*"))


def test_a_second_build_with_nothing_changed_rewrites_nothing(project):
    Renderer(project).ensure_tree_dependencies(project.root)
    first = _built(project)
    # a new process: only the stamps under .cache/deps remember the first build
    Renderer(project).ensure_tree_dependencies(project.root)
    assert _built(project) == first


def test_editing_the_dependency_rebuilds_its_dependents(project):
    Renderer(project).ensure_tree_dependencies(project.root)
    first = _built(project)
    (project.root / "charts/lib/templates/_name.tpl").write_text('{{- define "lib.name" -}}x{{- end -}}\n')
    Renderer(project).ensure_tree_dependencies(project.root)
    assert all(mtime != first[name] for name, mtime in _built(project).items())


def test_a_chart_nested_in_the_tree_is_not_part_of_its_digest_but_a_subchart_is(project):
    lib = project.root / "charts/lib"
    before = TreeDigests().chart(lib)
    (lib / "tests/consumer/values.yaml").write_text("changed: true\n")
    assert TreeDigests().chart(lib) == before
    (lib / "charts/sub").mkdir(parents=True)
    (lib / "charts/sub/Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 0.1.0\n")
    assert TreeDigests().chart(lib) != before


def test_a_dependency_that_is_not_a_chart_is_named(project):
    (project.root / "charts/lib/Chart.yaml").unlink()
    with pytest.raises(HarnessError) as raised:
        Renderer(project).ensure_tree_dependencies(project.root)
    assert str(raised.value) == (f"{project.root}/charts/app/Chart.yaml: the file:// dependency {project.root}/charts/lib "
                                 "is not a chart (no Chart.yaml there)")
