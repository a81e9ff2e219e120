"""`harness docs --check` (what `make verify` runs) passes on the repository and fails on drift:
a hand-edited generated block, or a chart change that moves the picture without `make docs`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.policy.docs import BEGIN, END

REPO_ROOT = Path(__file__).resolve().parents[2]
# What rendering the environments and writing the docs needs.
PARTS = ("charts", "values", "matrices", "policy", "helmfile.yaml.gotmpl", "tools/kubernetes/tool.env",
         "README.md", "docs")


@pytest.fixture
def docs_project(tmp_path, shared_render_cache) -> Path:
    root = tmp_path / "project"
    for part in PARTS:
        source, target = REPO_ROOT / part, root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    (root / ".tools").symlink_to(REPO_ROOT / ".tools")
    (root / ".cache").mkdir()
    (root / ".cache" / "render").symlink_to(shared_render_cache)
    return root


def harness(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=project, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ACME_ROOT": str(project), "PYTHONPATH": str(REPO_ROOT),
                               "HOME": str(project)}, timeout=300)


def test_committed_docs_match_the_charts() -> None:
    done = harness(REPO_ROOT, "docs", "--check")
    assert done.returncode == 0, done.stderr


def _hand_edit(root: Path) -> None:
    readme = root / "README.md"
    readme.write_text(readme.read_text().replace("edge -->|8080/TCP| ui", "edge -->|80/TCP| ui"))


def _new_host(root: Path) -> None:
    values = root / "values" / "acme-ui" / "local.yaml"
    values.write_text(values.read_text() + "hosts:\n  - www.acme.com\n  - shop.acme.com\n")


@pytest.mark.parametrize("drift", [_hand_edit, _new_host], ids=["hand-edited-block", "chart-change-without-make-docs"])
def test_drift_fails_the_check_until_docs_are_regenerated(docs_project: Path, drift) -> None:
    drift(docs_project)
    failed = harness(docs_project, "docs", "--check")
    assert failed.returncode == 1
    assert "README.md" in failed.stderr and "make docs" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1

    assert harness(docs_project, "docs").returncode == 0
    assert harness(docs_project, "docs", "--check").returncode == 0
    if drift is _new_host:
        assert "shop.acme.com" in (docs_project / "docs" / "architecture.md").read_text()


def test_readme_without_markers_is_one_clear_error(docs_project: Path) -> None:
    readme = docs_project / "README.md"
    readme.write_text(readme.read_text().replace(BEGIN, "").replace(END, ""))
    done = harness(docs_project, "docs", "--check")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "markers" in done.stderr and "Traceback" not in done.stderr


def test_make_verify_runs_the_drift_check() -> None:
    """`make verify` is the gate users run: it must include the check the tests above break."""
    dry_run = subprocess.run(["make", "-n", "verify"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "harness docs --check" in dry_run.stdout, dry_run.stdout
