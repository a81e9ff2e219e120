"""The CI workflow we ship for users passes actionlint, and actionlint does catch a broken one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yaml"


@pytest.fixture(scope="module")
def actionlint() -> Path:
    return pinned_tool("actionlint")


def lint(actionlint: Path, workflow: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(actionlint), "-no-color", str(workflow)], capture_output=True, text=True, timeout=60)


def test_shipped_workflow_passes(actionlint: Path) -> None:
    done = lint(actionlint, WORKFLOW)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    needs: test\n", "    needs: tests\n", 'needs job "tests" which does not exist'),
    ("hashFiles('tools/**')", "hashFile('tools/**')", 'undefined function "hashFile"'),
    ("      pull-requests: write", "      pull-request: write", "unknown permission scope"),
], ids=["undefined-needs", "undefined-function", "unknown-permission"])
def test_broken_workflow_fails(actionlint: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    text = WORKFLOW.read_text()
    assert old in text
    broken = tmp_path / ".github" / "workflows" / "ci.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(old, new, 1))
    done = lint(actionlint, broken)
    assert done.returncode == 1 and message in done.stdout, done.stdout
