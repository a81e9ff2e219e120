"""Bad input is refused before anything is applied: a non-zero exit, a message naming the
field or thing, and never a Python traceback (stdout or stderr). The table is bad_inputs.py."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bad_inputs import CHART_CASES, CLI_CASES, Case
from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
# Every refusal here is local or one refused TCP connection; the unreachable-cluster cases
# prove the bound (the harness's own probe timeout is 5 s).
BOUND_SECONDS = 30


@pytest.fixture(scope="module")
def helm() -> Path:
    return pinned_tool("helm")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def placeholders(tmp_path: Path) -> dict[str, str]:
    unreachable = tmp_path / "unreachable.kubeconfig"
    unreachable.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: unreachable\n"
        f"clusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:{_closed_port()}', "
        "insecure-skip-tls-verify: true}}]\n"
        "users: [{name: u, user: {token: not-a-secret}}]\n"
        "contexts: [{name: unreachable, context: {cluster: c, user: u}}]\n")
    garbled = tmp_path / "garbled.kubeconfig"
    garbled.write_text("clusters: [{{{ this is not a kubeconfig\n")
    return {"unreachable": str(unreachable), "garbled": str(garbled), "tmp": str(tmp_path)}


def _bare_project(tmp_path: Path) -> Path:
    """A project with no tools, no cluster and no kubeconfig: nothing can be applied from here.
    Its helmfile declares the environments, which is all the deploy commands read of it before refusing."""
    root = tmp_path / "bare"
    (root / "charts").mkdir(parents=True)
    (root / "helmfile.yaml").write_text("environments: {local: {}, staging: {}, production: {}}\n")
    return root


def _run(cmd: list[str], root: Path, extra_env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "ACME_ROOT": str(root), "PYTHONPATH": str(REPO_ROOT), **extra_env}
    env.pop("KUBECONFIG", None)  # a developer's own cluster must never be the one refused (or reached)
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started


def _assert_refused(case: Case, done: subprocess.CompletedProcess, seconds: float) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"{case.id}: accepted (exit 0):\n{output[-1500:]}"
    assert "Traceback" not in output, f"{case.id}: traceback:\n{output[-3000:]}"
    assert re.search(case.expect, output), f"{case.id}: message does not name {case.expect!r}:\n{output[-1500:]}"
    assert seconds < BOUND_SECONDS, f"{case.id}: took {seconds:.1f} s to refuse"


@pytest.mark.parametrize("case", CHART_CASES, ids=[c.id for c in CHART_CASES])
def test_chart_refuses(case: Case, helm: Path, tmp_path: Path):
    values = tmp_path / "values.yaml"
    values.write_text(case.values)
    extra = ["--strict"] if case.helm_verb == "lint" else []
    cmd = [str(helm), case.helm_verb, *extra, str(REPO_ROOT / "charts" / case.chart), "-f", str(values)]
    done, seconds = _run(cmd, REPO_ROOT, {})
    _assert_refused(case, done, seconds)
    assert "kind:" not in done.stdout, "a refused render must emit no manifest to apply"


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_refuses(case: Case, placeholders: dict[str, str], tmp_path: Path, request):
    if case.bare:
        root = _bare_project(tmp_path)
    elif case.edits:
        root = request.getfixturevalue("project_copy")
        for relative, text in case.edits.items():
            (root / relative).write_text(text)
    else:
        root = REPO_ROOT
    args = [arg.format(**placeholders) for arg in case.args]
    done, seconds = _run([sys.executable, "-m", "harness", *args], root, case.env)
    _assert_refused(case, done, seconds)


def test_table_is_large_and_ids_unique():
    ids = [c.id for c in CHART_CASES + CLI_CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
