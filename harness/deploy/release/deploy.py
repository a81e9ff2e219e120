"""The cluster-facing steps of a release: `helmfile diff` (shown and kept for the report) and
`helmfile apply`, both aimed at the release's target cluster with the pinned tools."""

from __future__ import annotations

import os
import subprocess

from ..cluster.client import api_client
from ..cluster.settings import ClusterSettings
from ...core.errors import HarnessError
from ...core.project import Project
from ..pending import find_stuck, recover
from ..target import Target

# helmfile diff --detailed-exitcode: 0 no changes, 2 changes, anything else an error.
DIFF_CHANGES = 2


def helmfile_diff(project: Project, target: Target, context: str) -> tuple[bool, str]:
    """(any change, diff text). Secrets are shown as digests, never as values."""
    cmd = [str(project.tool("helmfile")), "--environment", target.env, "--kube-context", context,
           "diff", "--suppress-secrets", "--detailed-exitcode", "--context", "3"]
    done = subprocess.run(cmd, cwd=project.root, env=tool_env(project, target), capture_output=True, text=True,
                          timeout=600)
    if done.returncode not in (0, DIFF_CHANGES):
        tail = "\n  ".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise HarnessError(f"helmfile -e {target.env} diff failed:\n  {tail}")
    return done.returncode == DIFF_CHANGES, done.stdout.strip()


def tool_env(project: Project, target: Target) -> dict[str, str]:
    """Environment for helm/helmfile aimed at the target cluster, pinned tools first on PATH."""
    env = ClusterSettings.from_env(project).env() if target.local else dict(os.environ)
    if not target.local and target.kubeconfig:
        env["KUBECONFIG"] = str(target.kubeconfig)
    # The .tools/bin wrappers of helm and helmfile set the plugin dir and Helm state themselves.
    env["PATH"] = f"{project.root / '.tools' / 'bin'}:{env.get('PATH', '')}"
    return env


def helmfile_apply(project: Project, target: Target, context: str) -> str:
    env = tool_env(project, target)
    # A release an interrupted apply left pending would refuse this one (see smoke/pending.py).
    recovered = recover(project.tool("helm"), find_stuck(api_client(target.kubeconfig, context)), context, env,
                        target.local)
    # No --file: helmfile finds helmfile.yaml(.gotmpl) in the project root itself.
    cmd = [str(project.tool("helmfile")), "--environment", target.env,
           "--kube-context", context, "apply", "--suppress-secrets"]
    done = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        tail = "\n  ".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise HarnessError(f"helmfile -e {target.env} apply failed:\n  {tail}")
    return f"applied (recovered {', '.join(recovered)})" if recovered else "applied"
