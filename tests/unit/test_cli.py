"""Bad input at the CLI: one clear line naming the thing, a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture
def bare_project(tmp_path) -> Path:
    """A project with one tiny chart and no helmfile: enough for the CLI to plan."""
    chart = tmp_path / "charts" / "tiny"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: tiny\nversion: 0.1.0\n")
    (tmp_path / "matrices").mkdir()
    (tmp_path / ".tools").symlink_to(REPO_ROOT / ".tools")
    (tmp_path / "tools").symlink_to(REPO_ROOT / "tools")  # the pins of the offline schemas
    return tmp_path


def harness(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=project, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ACME_ROOT": str(project), "PYTHONPATH": str(REPO_ROOT)})


BAD_INPUT = [
    ("unknown-chart", ("check", "--chart", "nope"), None, "unknown chart `nope`"),
    ("unknown-env", ("check", "--env", "moon"), None, "unknown environment `moon`"),
    ("unknown-check", ("check", "--only", "rollout.nope"), None, "unknown check id `rollout.nope`"),
    ("matrix-not-mapping", ("render",), "- just\n- a list\n", "a matrix file must be a mapping"),
    ("matrix-bad-yaml", ("render",), "chart: [unclosed\n", "invalid YAML"),
    ("matrix-unknown-key", ("render",), "chart: tiny\nflavour: x\n", "unknown key `flavour`"),
    ("matrix-unknown-chart", ("render",), "chart: ghost\n", "chart `ghost` not found"),
    ("matrix-axes-wrong-type", ("render",), "chart: tiny\naxes: [1, 2]\n", "axes must map"),
    ("matrix-case-without-name", ("render",), "chart: tiny\ncases: [{values: {}}]\n", "cases[0] must be a mapping with `name`"),
    ("unknown-lint-chart", ("lint", "--chart", "nope"), None, "unknown chart `nope`"),
    ("unwritable-junit", ("check", "--junit", "/proc/harness/render.xml"), None, "/proc/harness"),
    ("unknown-format", ("check", "--format", "xml"), None, "invalid choice: 'xml'"),
    ("unknown-command", ("deploy",), None, "invalid choice: 'deploy'"),
    ("missing-helm", ("render", "--helm", "/nonexistent/helm"), None, "--helm: /nonexistent/helm does not exist"),
]


@pytest.mark.parametrize(("args", "matrix", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_clear_line(bare_project, args, matrix, message):
    if matrix is not None:
        (bare_project / "matrices" / "tiny.yaml").write_text(matrix)
    proc = harness(bare_project, *args)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_checks_lists_ids(bare_project):
    proc = harness(bare_project, "checks")
    assert proc.returncode == 0 and "rollout.max-unavailable" in proc.stdout and "isolation.flows" in proc.stdout
