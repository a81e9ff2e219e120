"""One command line, one exit-code contract: `harness --help` names every command; each command
refuses bad input with exit 2 and one `error:` line (no traceback); failed checks exit 1.

Every leaf command of the parser needs a bad-input case here (a new command without one fails
`test_every_command_has_a_bad_input_case`). Exit 1 of the other checking commands is held where
their checks are: `docs --check` in tests/docs, `lint` in tests/render, `version-check` in
tests/release, `peers` in tests/unit/test_peers.py, `smoke` in tests/smoke; the release flow's
3-7 in tests/release.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import parser
from harness.cli.base import EXIT_CODES

REPO = Path(__file__).resolve().parents[2]


def leaf_commands(top: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()) -> list[str]:
    """`render`, `cluster up`, …: every command a user can run, read from the parser itself."""
    top = top or parser()
    found = []
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += leaf_commands(sub, (*prefix, name)) or [" ".join((*prefix, name))]
    return found


# The command line the issue asked for; others may add to it, never drop from it.
EXPECTED = {"render", "check", "checks", "flows", "lint", "docs", "schema", "smoke", "cluster up", "cluster down",
            "cluster status", "node up", "node down", "node status", "images list", "images values", "release",
            "demo", "package", "version-check", "scan", "compat", "peers"}


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A project with no tools, no cluster and no kubeconfig, its environments declared: nothing can be applied."""
    root = tmp_path / "bare"
    (root / "charts").mkdir(parents=True)
    (root / "helmfile.yaml").write_text("environments: {local: {}, staging: {}}\n")
    return root


def harness(root: Path, *args: str, port: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ACME_ROOT": str(root), "PYTHONPATH": str(REPO), "ACME_CLUSTER_PORT": port or _free_port()}
    env.pop("KUBECONFIG", None)  # a developer's own cluster must never be the one reached
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)


def test_help_lists_every_command_and_the_contract() -> None:
    done = subprocess.run([sys.executable, "-m", "harness", "--help"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    commands = set(leaf_commands())
    assert EXPECTED <= commands, f"missing: {sorted(EXPECTED - commands)}"
    for name in {c.split()[0] for c in commands}:
        assert listed(name, done.stdout), f"`{name}` not in --help"
    assert EXIT_CODES in done.stdout
    for group in {c.split()[0] for c in commands if " " in c}:
        sub = subprocess.run([sys.executable, "-m", "harness", group, "--help"], cwd=REPO, capture_output=True,
                             text=True)
        names = {c.split()[1] for c in commands if c.startswith(group + " ")}
        assert sub.returncode == 0 and all(listed(name, sub.stdout) for name in names), sub.stdout


def listed(name: str, help_text: str) -> bool:
    """argparse lists a command indented by four, its help beside it or, for a long name, below it."""
    return re.search(rf"^    {re.escape(name)}(  |$)", help_text, re.MULTILINE) is not None


def test_readme_shows_the_contract() -> None:
    """The README's table and --help say the same: every code of the epilog is in the README."""
    readme = (REPO / "README.md").read_text()
    assert "harness --help" in readme
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 5 |", "| 6 |"):
        assert code in readme, code


# command -> (arguments, what the one error line must say); {kubeconfig} is an existing file.
BAD_INPUT = {
    "deps": (("deps",), "no chart to build the dependencies of: no "),
    "render": (("render", "--chart", "nope"), "unknown chart `nope`"),
    "check": (("check", "--only", "schema", "--base-ref", "HEAD"), "--base-ref: only the upgrade checks"),
    "checks": (("checks", "--format", "xml"), "unrecognized arguments: --format xml"),
    "flows": (("flows", "--env", "qa"), "unknown environment `qa` (known: local, staging)"),
    "lint": (("lint", "--chart", "nope"), "unknown chart `nope`"),
    "docs": (("docs", "--env", "local"), "unrecognized arguments: --env local"),
    "schema": (("schema", "--chart", "acme-ui"), "unrecognized arguments: --chart acme-ui"),
    "version-check": (("version-check", "--base-ref", "no-such-ref"), "base ref `no-such-ref` not found"),
    "package": (("package", "--plain-http"), "--plain-http: applies only to a registry named with --push"),
    "scan": (("scan", "--exceptions", "/nonexistent/scan.yaml"),
             "argument --exceptions: /nonexistent/scan.yaml does not exist"),
    "compat": (("compat", "--helm3", "/nonexistent/helm3"), "argument --helm3: /nonexistent/helm3 does not exist"),
    "peers": (("peers", "--env", "qa"), "unknown environment `qa`"),
    "smoke": (("smoke", "--env", "local", "--kubeconfig", "{kubeconfig}"), "cannot apply to --env local"),
    "release": (("release", "--env", "local", "--confirm-context", "kwok-acme"),
                "--confirm-context: the local cluster needs no confirmation"),
    "demo": (("demo", "--env", "qa"), "unknown environment `qa`"),
    "images list": (("images", "list", "--index", "/nonexistent/index.json"),
                    "argument --index: /nonexistent/index.json does not exist"),
    "images values": (("images", "values", "--index", "/nonexistent/index.json"),
                      "argument --index: /nonexistent/index.json does not exist"),
    **{f"cluster {verb}": (("cluster", verb), "ACME_CLUSTER_PORT must be a port number")
       for verb in ("up", "down", "status", "crds", "certs")},
    "cluster snapshot": (("cluster", "snapshot", "{tmp}/etcd.db"), "ACME_CLUSTER_PORT must be a port number"),
    "cluster restore": (("cluster", "restore", "{kubeconfig}"), "ACME_CLUSTER_PORT must be a port number"),
    **{f"node {verb}": (("node", verb), "ACME_CLUSTER_PORT must be a port number") for verb in ("up", "down", "status")},
    "backup run": (("backup", "run", "--env", "qa"), "unknown environment `qa` (known: local, staging)"),
    "backup verify": (("backup", "verify", "--env", "qa"), "unknown environment `qa` (known: local, staging)"),
    "observability prometheus-config": (("observability", "prometheus-config", "--env", "qa", "--out", "{tmp}"),
                                        "unknown environment `qa` (known: local, staging)"),
}

# More refusals of arguments that cannot apply or name a missing file: each would otherwise be ignored.
MORE_BAD_INPUT = [
    ("smoke-local-missing-kubeconfig", ("smoke", "--env", "local", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("smoke-staging-missing-kubeconfig", ("smoke", "--env", "staging", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("smoke-missing-ca-file", ("smoke", "--env", "staging", "--ca-file", "/nonexistent/ca.pem"),
     "argument --ca-file: /nonexistent/ca.pem does not exist"),
    ("smoke-resolve-without-data-plane", ("smoke", "--env", "local", "--resolve", "api.acme.com=127.0.0.1"),
     "--resolve/--ca-file: only the HTTP checks use them"),
    ("smoke-unknown-release", ("smoke", "--expect-revision", "acme-web=2"),
     "--expect-revision: unknown release `acme-web`"),
    ("smoke-negative-wait", ("smoke", "--wait", "-5"), "argument --wait: must be a number of seconds"),
    ("release-missing-kubeconfig", ("release", "--env", "staging", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("release-base-ref-without-preflight", ("release", "--env", "staging", "--skip-preflight", "--base-ref", "HEAD"),
     "--base-ref: only the preflight reads a baseline"),
    ("release-settle-not-a-number", ("release", "--env", "local", "--settle", "soon"),
     "argument --settle: must be a number of seconds"),
    ("demo-missing-kubeconfig", ("demo", "--env", "staging", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("demo-confirm-context-on-local", ("demo", "--confirm-context", "kwok-acme"),
     "--confirm-context: the local cluster needs no confirmation"),
    ("check-missing-kubeconfig", ("check", "--kubeconfig", "/nonexistent/kubeconfig"),
     "argument --kubeconfig: /nonexistent/kubeconfig does not exist"),
    ("check-kubeconfig-without-schema-checks", ("check", "--only", "rollout", "--kubeconfig", "{kubeconfig}"),
     "--kubeconfig: only the schema checks read an API server"),
    ("flows-with-chart", ("flows", "--chart", "acme-api"), "--chart: flows need every release of an environment"),
    ("peers-missing-exceptions", ("peers", "--exceptions", "/nonexistent/peers.yaml"),
     "argument --exceptions: /nonexistent/peers.yaml does not exist"),
    ("scan-missing-checkov", ("scan", "--checkov", "/nonexistent/checkov"),
     "argument --checkov: /nonexistent/checkov does not exist"),
    ("cluster-restore-missing-file", ("cluster", "restore", "/nonexistent/etcd.db"),
     "argument FILE: /nonexistent/etcd.db does not exist"),
    ("cluster-snapshot-without-cluster", ("cluster", "snapshot", "{kubeconfig}.db"),
     "the local cluster is not running on 127.0.0.1:"),
    ("cluster-snapshot-over-a-file", ("cluster", "snapshot", "{kubeconfig}"), "exists; name a new file"),
    ("backup-run-without-cluster", ("backup", "run"), "no local cluster"),
    ("backup-run-timeout-not-a-number", ("backup", "run", "--timeout", "soon"), "argument --timeout: must be a number of seconds"),
    ("backup-verify-without-cluster", ("backup", "verify"), "no local cluster"),
    ("backup-verify-kubeconfig-on-local", ("backup", "verify", "--kubeconfig", "{kubeconfig}"),
     "cannot apply to --env local"),
    ("unknown-command", ("deploy",), "invalid choice: 'deploy'"),
    ("cluster-without-command", ("cluster",), "the following arguments are required: COMMAND"),
]


def _assert_one_error_line(done: subprocess.CompletedProcess, message: str) -> None:
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stdout[-800:]}\n{done.stderr[-800:]}"
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "error: " in lines[0] and message in lines[0], done.stderr


def test_every_command_has_a_bad_input_case() -> None:
    assert set(BAD_INPUT) == set(leaf_commands()), set(BAD_INPUT) ^ set(leaf_commands())


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_exits_2_with_one_line(name: str, bare: Path, tmp_path: Path) -> None:
    args, message = BAD_INPUT[name]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    port = "not-a-port" if name.split()[0] in ("cluster", "node") else None
    # Refusals that need the real project (its charts, exceptions, git) run there; the rest in the bare one.
    root = REPO if name in ("version-check", "peers", "scan") else bare
    done = harness(root, *(a.format(kubeconfig=kubeconfig, tmp=tmp_path) for a in args), port=port)
    _assert_one_error_line(done, message)
    assert done.stderr.startswith(f"harness {name}: error: "), done.stderr


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in MORE_BAD_INPUT], ids=[c[0] for c in MORE_BAD_INPUT])
def test_arguments_that_cannot_apply_exit_2(args: tuple[str, ...], message: str, bare: Path, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    _assert_one_error_line(harness(bare, *(a.format(kubeconfig=kubeconfig) for a in args)), message)


@pytest.mark.parametrize("group", ["cluster", "node"])
def test_status_of_nothing_running_exits_1(group: str, bare: Path) -> None:
    done = harness(bare, group, "status")
    assert done.returncode == 1 and not done.stderr, done.stderr
    assert f"{group}: " in done.stdout and "running" not in done.stdout.split("\n")[0], done.stdout


@pytest.mark.parametrize(("args", "edits"), [
    (("check", "--chart", "acme-ui", "--only", "render"),
     {"charts/acme-ui/ci/99-broken-values.yaml": "autoscaling: {minReplicas: 6, maxReplicas: 2}\n"}),
    (("render", "--chart", "acme-ui"),
     {"charts/acme-ui/ci/99-broken-values.yaml": "autoscaling: {minReplicas: 6, maxReplicas: 2}\n"}),
    (("schema", "--check"), {"charts/acme-ui/values.schema.json": "{}\n"}),
], ids=["check-finding", "render-failure", "schema-drift"])
def test_failed_checks_exit_1(args: tuple[str, ...], edits: dict[str, str], project_copy: Path) -> None:
    for relative, text in edits.items():
        (project_copy / relative).write_text(text)
    done = harness(project_copy, *args)
    assert done.returncode == 1, f"exit {done.returncode}:\n{done.stdout[-800:]}\n{done.stderr[-800:]}"
    assert "Traceback" not in done.stderr


def test_restore_of_a_file_that_is_no_snapshot_exits_2(tmp_path: Path) -> None:
    """etcdutl reads the file before anything of the cluster is touched (the project's own etcdutl)."""
    garbage = tmp_path / "etcd.db"
    garbage.write_text("not a snapshot\n")
    done = harness(REPO, "cluster", "restore", str(garbage))
    _assert_one_error_line(done, f"cluster restore: {garbage} is not an etcd snapshot (invalid database)")
