"""`harness release` on bad input: one line naming the problem, exit 2, nothing touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Each strategy's image flags: --<prefix>-tag and --<prefix>-digest.
IMAGE_FLAGS = (("canary", "canary"), ("blue-green", "candidate"))
DIGEST_CASES = [case for strategy, prefix in IMAGE_FLAGS for case in (
    (("--env", "local", "--strategy", strategy, f"--{prefix}-tag", "1.0.1", f"--{prefix}-digest", "sha256:abc"),
     f"--{prefix}-digest: expected sha256:<64 lowercase hex digits>, got 'sha256:abc'"),
    (("--env", "local", "--strategy", strategy, f"--{prefix}-digest", "sha256:" + "a" * 64),
     f"--{prefix}-digest: pins a --{prefix}-tag, which is missing"))]


@pytest.mark.parametrize(("args", "message"), [
    (("--env", "moon"), "unknown environment `moon` (known: local, production, staging)"),
    (("--env", "staging", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    (("--env", "staging", "--kubeconfig", "{kubeconfig}", "--confirm-context", "wrong"),
     "refusing to deploy to kube context 'prod'; confirm with --confirm-context prod"),
    ((), "the following arguments are required: --env"),
    (("--env", "local", "--steps", "10,100"), "--steps: applies to --strategy canary only"),
    (("--env", "local", "--strategy", "canary", "--steps", "50,10,100"),
     "--steps: weights must rise step by step, got 50,10,100"),
    (("--env", "local", "--strategy", "canary", "--interval", "0"),
     "--interval: a step needs an analysis interval above 0 seconds"),
    (("--env", "local", "--strategy", "bluegreen"), "argument --strategy: invalid choice: 'bluegreen'"),
    (("--env", "local", "--watch", "30"), "--watch: applies to --strategy blue-green only"),
    (("--env", "local", "--strategy", "canary", "--candidate-tag", "1.0.1"),
     "--candidate-tag: applies to --strategy blue-green only"),
    (("--env", "local", "--strategy", "blue-green", "--steps", "10,100"), "--steps: applies to --strategy canary only"),
    (("--env", "local", "--strategy", "blue-green", "--watch", "0"),
     "--watch: the public hosts need a watch above 0 seconds after the switch"),
    *DIGEST_CASES,
], ids=["unknown-env", "missing-kubeconfig", "unconfirmed-context", "no-env", "steps-without-canary", "falling-steps",
        "zero-interval", "unknown-strategy", "watch-without-blue-green", "candidate-with-canary",
        "steps-with-blue-green", "zero-watch",
        *(f"{kind}-{strategy}" for strategy, _ in IMAGE_FLAGS for kind in ("bad-digest", "digest-without-tag"))])
def test_bad_input_is_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n"
                          "- name: prod\n  context: {cluster: prod, user: prod}\n"
                          "clusters:\n- name: prod\n  cluster: {server: 'https://127.0.0.1:1'}\n"
                          "users:\n- name: prod\n  user: {token: x}\n")
    argv = [a.replace("{kubeconfig}", str(kubeconfig)) for a in args]
    done = subprocess.run([sys.executable, "-m", "harness", "release", *argv, "--report-dir", str(tmp_path / "r")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists(), "no report for a run that never started"
