"""checkov, the opt-in policy scanner, run offline over a directory of Kubernetes manifests."""

from __future__ import annotations

import json
from pathlib import Path

from .process import ToolError, run


def failed_checks(checkov: Path, directory: Path) -> list[dict]:
    """Failed checks of a checkov run over DIR (offline: --skip-download)."""
    done = run([checkov, "--directory", directory, "--framework", "kubernetes", "--output", "json",
                "--quiet", "--compact", "--skip-download"], timeout=600, what="checkov")
    if done.returncode not in (0, 1):  # 1 = findings; anything else is checkov failing
        raise ToolError(f"checkov exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    try:
        reports = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        raise ToolError(f"checkov printed no JSON report: {done.stdout.strip()[:200]}") from None
    reports = reports if isinstance(reports, list) else [reports]
    return [f for r in reports if isinstance(r, dict) for f in r.get("results", {}).get("failed_checks", [])]
