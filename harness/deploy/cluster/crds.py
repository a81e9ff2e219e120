"""Installs the pinned upstream CRDs (the render layer's list, the same files schema validation reads)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ...core.errors import HarnessError
from ...render.crds import crd_files, digest


def apply(crds_module: Path, kubectl: Path, env: dict[str, str], stamp: Path | None = None) -> int:
    """Server-side apply (prometheus-operator's CRDs exceed the client-side annotation limit), then wait.

    `stamp` records the digest of what was applied, so an idempotent `up` skips the 10 s re-apply;
    it lives in the cluster's own work directory and disappears with the cluster.
    """
    files = crd_files(crds_module)
    if stamp is not None and stamp.exists() and stamp.read_text() == digest(files):
        return 0
    args = [str(kubectl), "apply", "--server-side", "--force-conflicts", "--field-manager", "acme-harness"]
    for path in files:
        args += ["-f", str(path)]
    for cmd in (args, [str(kubectl), "wait", "--for", "condition=Established", "crd", "--all", "--timeout", "60s"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise HarnessError(f"crds: `{' '.join(cmd[1:3])}` failed: {done.stderr.strip().splitlines()[-1:]}")
    if stamp is not None:
        stamp.write_text(digest(files))
    return len(files)
