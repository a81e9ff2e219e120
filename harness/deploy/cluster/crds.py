"""Installs the pinned upstream CRDs (the render layer's list, the same files schema validation reads)."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import HarnessError
from ...render.crds import crd_files, digest
from ...tools import kubectl as kubectl_tool
from ...tools.process import ToolError


def apply(crds_module: Path, kubectl: Path, env: dict[str, str], stamp: Path | None = None) -> int:
    """Server-side apply (prometheus-operator's CRDs exceed the client-side annotation limit), then wait.

    `stamp` records the digest of what was applied, so an idempotent `up` skips the 10 s re-apply;
    it lives in the cluster's own work directory and disappears with the cluster.
    """
    files = crd_files(crds_module)
    if stamp is not None and stamp.exists() and stamp.read_text() == digest(files):
        return 0
    try:
        kubectl_tool.apply_server_side(kubectl, files, "acme-harness", env)
        kubectl_tool.wait_for(kubectl, "Established", "crd", env)
    except ToolError as err:
        raise HarnessError(f"crds: {err}") from None
    if stamp is not None:
        stamp.write_text(digest(files))
    return len(files)
