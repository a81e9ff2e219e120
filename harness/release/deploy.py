"""The cluster-facing steps of a release: `helmfile diff` (shown and kept for the report) and the
revisions before/after, so a rollback touches only what this run changed."""

from __future__ import annotations

import subprocess

from ..errors import HarnessError
from ..project import Project
from ..smoke.demo import tool_env
from ..smoke.target import Target

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
