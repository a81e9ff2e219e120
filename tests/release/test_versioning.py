"""Chart versioning like chart-testing: a changed chart needs a higher SemVer version; Chart.yaml
and CHANGELOG complete. Each rule is shown failing on a broken input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.core.project import Project
from harness.publish.versioning import check, metadata_problems, semver_key

REPO_ROOT = Path(__file__).resolve().parents[2]

COMPLETE = """apiVersion: v2
name: {name}
description: A chart.
version: {version}
kubeVersion: ">=1.29.0-0"
home: https://www.acme.com
sources: [https://github.com/acme/acme-charts]
icon: https://www.acme.com/favicon.svg
maintainers: [{{name: Acme platform team}}]
annotations:
  artifacthub.io/changes: |
    - kind: added
      description: First release
"""


@pytest.mark.parametrize(("lower", "higher"), [
    ("0.1.0", "0.1.1"), ("0.1.9", "0.1.10"), ("0.9.0", "1.0.0"), ("1.0.0-rc.1", "1.0.0"),
    ("1.0.0-alpha", "1.0.0-alpha.1"), ("1.0.0-alpha.2", "1.0.0-alpha.10"), ("1.0.0-1", "1.0.0-alpha"),
], ids=lambda v: v)
def test_semver_precedence(lower: str, higher: str) -> None:
    assert semver_key(lower) < semver_key(higher)


def test_build_metadata_does_not_count_as_a_bump() -> None:
    assert semver_key("1.0.0+build.2") == semver_key("1.0.0")


@pytest.mark.parametrize("bad", ["v1.0.0", "1.0", "01.0.0", "1.0.0-"], ids=lambda v: v)
def test_non_semver_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        semver_key(bad)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("icon: https://www.acme.com/favicon.svg\n", "", "`icon` is missing"),
    ("sources: [https://github.com/acme/acme-charts]\n", "", "`sources` is missing"),
    ("    - kind: added\n      description: First release\n", "    just text\n", "must be a YAML list"),
    ("    - kind: added\n", "    - kind: improved\n", "changes[0]: needs kind"),
    ("[{name: Acme platform team}]", "[{email: a@acme.com}]", "maintainers[0] needs a name"),
], ids=["no-icon", "no-sources", "changes-not-a-list", "unknown-change-kind", "maintainer-without-name"])
def test_incomplete_metadata_is_named(old: str, new: str, message: str) -> None:
    text = COMPLETE.format(name="demo", version="0.1.0")
    assert not metadata_problems("demo", yaml.safe_load(text))
    assert old in text
    problems = [str(p) for p in metadata_problems("demo", yaml.safe_load(text.replace(old, new)))]
    assert any(message in p for p in problems), problems


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=root, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository whose `base` branch holds charts demo and lib at 0.1.0, on a work branch."""
    for name in ("demo", "lib"):
        chart = tmp_path / "charts" / name
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text(COMPLETE.format(name=name, version="0.1.0"))
        (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / "CHANGELOG.md").write_text("## demo 0.1.0\n## demo 0.2.0\n## lib 0.1.0\n## fresh 0.1.0\n")
    _git(tmp_path, "init", "-q", "-b", "base")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "checkout", "-q", "-b", "work")
    return tmp_path


def _bump(repo: Path, chart: str, version: str) -> None:
    (repo / "charts" / chart / "Chart.yaml").write_text(COMPLETE.format(name=chart, version=version))


def test_unchanged_charts_pass(repo: Path) -> None:
    assert check(Project(repo), "base") == ([], [])


@pytest.mark.parametrize("committed", [False, True], ids=["working-tree", "committed"])
def test_changed_chart_without_bump_fails_and_bump_fixes_it(repo: Path, committed: bool) -> None:
    (repo / "charts" / "demo" / "templates" / "cm.yaml").write_text("kind: ConfigMap\ndata: {a: b}\n")
    if committed:
        _git(repo, "commit", "-q", "-am", "change")
    changed, problems = check(Project(repo), "base")
    assert changed == ["demo"]
    assert [str(p) for p in problems] == [
        "demo: changed since the base branch but version 0.1.0 is not higher than 0.1.0; bump `version` in Chart.yaml"]
    _bump(repo, "demo", "0.2.0")
    assert check(Project(repo), "base")[1] == []


def test_a_lower_version_fails(repo: Path) -> None:
    _bump(repo, "demo", "0.1.0-rc.1")
    problems = [str(p) for p in check(Project(repo), "base")[1]]
    assert any("version 0.1.0-rc.1 is not higher than 0.1.0" in p for p in problems), problems


def test_subchart_change_counts_for_its_parent(repo: Path) -> None:
    sub = repo / "charts" / "demo" / "charts" / "inner"
    sub.mkdir(parents=True)
    (sub / "Chart.yaml").write_text("apiVersion: v2\nname: inner\nversion: 0.1.0\n")
    assert check(Project(repo), "base")[0] == ["demo"]


def test_new_chart_needs_no_bump(repo: Path) -> None:
    chart = repo / "charts" / "fresh"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(COMPLETE.format(name="fresh", version="0.1.0"))
    changed, problems = check(Project(repo), "base")
    assert changed == ["fresh"] and problems == []


def test_version_missing_from_changelog_fails(repo: Path) -> None:
    _bump(repo, "lib", "0.3.0")
    assert [str(p) for p in check(Project(repo), "base")[1]] == ["lib: CHANGELOG.md has no heading for `lib 0.3.0`"]


def test_cli_unknown_base_ref_is_one_line(repo: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "harness", "version-check", "--base-ref", "origin/nope"],
                          cwd=repo, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ACME_ROOT": str(repo), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "base ref `origin/nope` not found" in done.stderr


def test_cli_reports_problems_with_exit_1(repo: Path) -> None:
    (repo / "charts" / "demo" / "templates" / "cm.yaml").write_text("kind: Secret\n")
    done = subprocess.run([sys.executable, "-m", "harness", "version-check", "--base-ref", "base"],
                          cwd=repo, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ACME_ROOT": str(repo), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 1
    assert "FAIL demo: changed since the base branch" in done.stderr
