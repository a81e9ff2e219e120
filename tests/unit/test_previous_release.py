"""The previous release as a git history gives it: the newest commit whose chart versions differ
from the working tree's, extracted with its helmfile and values."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.publish.previous import previous_release, working_versions
from harness.tools.process import run


def _git(root: Path, *args: str) -> str:
    done = run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root)
    done.require(f"git {args[0]}")
    return done.stdout.strip()


def _chart(root: Path, path: str, version: str) -> None:
    (root / path).mkdir(parents=True, exist_ok=True)
    (root / path / "Chart.yaml").write_text(f"apiVersion: v2\nname: {path.rsplit('/', 1)[-1]}\nversion: {version}\n")


def _commit(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    """Three commits: a first release, a change without charts, a version bump of a subchart."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "values").mkdir()
    (tmp_path / "helmfile.yaml.gotmpl").write_text("releases: []\n")
    (tmp_path / "values" / "local.yaml").write_text("first: true\n")
    _chart(tmp_path, "charts/app", "0.1.0")
    _chart(tmp_path, "charts/app/charts/db", "0.1.0")
    first = _commit(tmp_path, "first release")
    (tmp_path / "values" / "local.yaml").write_text("first: false\n")
    second = _commit(tmp_path, "values only")
    _chart(tmp_path, "charts/app/charts/db", "0.1.1")
    third = _commit(tmp_path, "db 0.1.1")
    return {"first": first, "second": second, "third": third}


def test_the_newest_commit_before_the_working_versions_is_the_previous_release(tmp_path: Path, history) -> None:
    release = previous_release(Project(tmp_path))
    assert release.commit == history["second"]  # not the first: the values it was deployed with
    assert release.versions == {"charts/app": "0.1.0", "charts/app/charts/db": "0.1.0"}
    assert release.changes(working_versions(Project(tmp_path))) == ["charts/app/charts/db 0.1.0 -> 0.1.1"]
    assert (release.root / "values" / "local.yaml").read_text() == "first: false\n"
    assert (release.root / "charts" / "app" / "charts" / "db" / "Chart.yaml").read_text().endswith("0.1.0\n")
    assert (release.root / "helmfile.yaml.gotmpl").exists()


def test_a_version_bump_not_yet_committed_makes_head_the_previous_release(tmp_path: Path, history) -> None:
    _chart(tmp_path, "charts/app", "0.2.0")
    assert previous_release(Project(tmp_path)).commit == history["third"]


def test_a_history_with_one_set_of_versions_has_no_previous_release(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "values").mkdir()
    (tmp_path / "values" / "local.yaml").write_text("{}\n")
    _chart(tmp_path, "charts/app", "0.1.0")
    _commit(tmp_path, "only")
    with pytest.raises(HarnessError, match="no earlier chart versions in the history of `HEAD`"):
        previous_release(Project(tmp_path))


def test_a_commit_without_a_helmfile_cannot_be_installed(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "values").mkdir()
    (tmp_path / "values" / "local.yaml").write_text("{}\n")
    _chart(tmp_path, "charts/app", "0.1.0")
    first = _commit(tmp_path, "no helmfile yet")
    _chart(tmp_path, "charts/app", "0.1.1")
    _commit(tmp_path, "bump")
    with pytest.raises(HarnessError, match=f"commit {first[:12]} has no helmfile.yaml.gotmpl or charts or values"):
        previous_release(Project(tmp_path))


def test_an_unreadable_chart_at_the_commit_is_named(tmp_path: Path, history) -> None:
    (tmp_path / "charts" / "app" / "Chart.yaml").write_text("version: [\n")
    _commit(tmp_path, "broken")
    _chart(tmp_path, "charts/app", "0.3.0")
    with pytest.raises(HarnessError, match="charts/app/Chart.yaml at [0-9a-f]{12}: "):
        previous_release(Project(tmp_path))
