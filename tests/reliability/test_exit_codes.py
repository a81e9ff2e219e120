"""Every entry point keeps one exit-code contract: 2 = bad input or environment, in one sentence.

(0 = ok and 1 = checks failed are covered by each command's own tests; the release flow's
3-6 by tests/release.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CASES = [
    ("smoke-kubeconfig-with-local", "harness.deploy.smoke", ("--env", "local", "--kubeconfig", "/nonexistent/kubeconfig"),
     "--kubeconfig /nonexistent/kubeconfig cannot apply to --env local"),
    ("smoke-unknown-env", "harness.deploy.smoke", ("--env", "qa"), "unknown environment 'qa'"),
    ("smoke-missing-kubeconfig", "harness.deploy.smoke", ("--env", "staging", "--kubeconfig", "/nonexistent/kubeconfig"),
     "kubeconfig /nonexistent/kubeconfig not found"),
    ("demo-unknown-env", "harness.deploy.demo", ("--env", "qa"), "unknown environment 'qa'"),
    ("cluster-bad-port", "harness.deploy.cluster", ("status",), "ACME_CLUSTER_PORT"),
    ("check-unknown-chart", "harness", ("check", "--chart", "nope"), "unknown chart `nope`"),
    ("check-missing-kubeconfig", "harness", ("check", "--kubeconfig", "/nonexistent/kubeconfig"),
     "--kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("scan-unknown-env", "harness.publish.scan", ("--env", "qa"), "qa"),
    ("compat-unknown-env", "harness.publish.compat", ("--env", "qa"), "qa"),
]


@pytest.mark.parametrize(("module", "args", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_sentence(module: str, args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    env = {**os.environ, "ACME_CLUSTER_PORT": "not-a-port" if module == "harness.deploy.cluster" else "16501",
           "ACME_CLUSTER_DIR": str(tmp_path / "cluster")}
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stdout[-800:]}\n{done.stderr[-800:]}"
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], done.stderr
