"""`harness scan`: the opt-in policy scan — checkov over every environment's manifests.

Checkov (PyPI, pinned with every dependency in tools/checkov/requirements.txt, installed into
its own venv because it brings ~100 packages) scans what `helmfile -e ENV` would deploy,
rendered by the harness.
Its open-source edition reports no severities offline, so every failed check blocks unless
policy/scan-exceptions.yaml accepts it, for named resources, with a reason. An exception
that matches nothing blocks too, so the list cannot rot.
Exit codes: 0 clean, 1 blocking findings, 2 bad input (no checkov, a malformed exception file).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from ..policy.exceptions import Accepted, load_exceptions as _load_exceptions, unused as _unused
from ..tools.checkov import failed_checks
from .environments import render_environments

CHECKOV_VERSION = "3.3.30"
# Where `make scan` installs the pinned checkov (a venv of its own).
SCAN_VENV = ".venv-scan"


@dataclass(frozen=True)
class Finding:
    env: str
    check: str
    title: str
    resource: str  # "Kind/name"
    accepted: Accepted | None = None


def exceptions_file(project: Project) -> Path:
    return project.root / "policy" / "scan-exceptions.yaml"


def load_exceptions(path: Path) -> list[Accepted]:
    return _load_exceptions(path, _checkov_id)


def _checkov_id(entry: dict, where: str) -> str | None:
    if not str(entry.get("check", "")).startswith("CKV_"):
        return f"{where}.check: a checkov id (CKV_…), got {entry.get('check')!r}"
    return None


def find_checkov(project: Project, explicit: Path | None = None) -> Path:
    """--checkov, else $ACME_CHECKOV, else the venv `make scan` installs, else PATH; a named one must exist."""
    named, source = (explicit, "--checkov") if explicit else (os.environ.get("ACME_CHECKOV"), "ACME_CHECKOV")
    if named:
        if not Path(named).exists():
            raise HarnessError(f"{source}: {named} does not exist")
        return Path(named)
    for candidate in (project.root / SCAN_VENV / "bin" / "checkov", shutil.which("checkov")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    raise HarnessError(f"checkov not found: install the pinned scanner (checkov=={CHECKOV_VERSION}) with `make scan`, "
                       f"or pass --checkov PATH")


def classify(failed: list[dict], files: dict[str, str], exceptions: list[Accepted]) -> list[Finding]:
    findings = []
    for item in failed:
        kind, _namespace, name = item["resource"].split(".", 2)  # checkov writes Kind.namespace.name
        resource = f"{kind}/{name}"
        accepted = next((a for a in exceptions if a.covers(item["check_id"], resource)), None)
        findings.append(Finding(files[Path(item["file_path"]).name], item["check_id"], item["check_name"], resource,
                                accepted))
    return sorted(findings, key=lambda f: (f.env, f.check, f.resource))


def unused(exceptions: list[Accepted], findings: list[Finding]) -> list[Accepted]:
    return _unused(exceptions, (f.accepted for f in findings))


def scan(project: Project, envs: list[str], checkov: Path, exceptions: list[Accepted]) -> list[Finding]:
    with tempfile.TemporaryDirectory(prefix="acme-scan-") as tmp:
        files = render_environments(project, envs, Path(tmp))
        return classify(failed_checks(checkov, Path(tmp)), files, exceptions)


def table(findings: list[Finding], stale: list[Accepted]) -> str:
    lines = [f"{'ENV':<11} {'CHECK':<11} {'RESOURCE':<40} RESULT"]
    for f in findings:
        lines.append(f"{f.env:<11} {f.check:<11} {f.resource:<40} {'accepted' if f.accepted else 'FAIL'}  {f.title}")
    reasons = {f.accepted.check: f.accepted.reason for f in findings if f.accepted}
    lines += [f"accepted {check}: {reason}" for check, reason in sorted(reasons.items())]
    lines += [f"stale exception: {a.check} {', '.join(a.resources)} matched nothing; remove it" for a in stale]
    blocking = sum(not f.accepted for f in findings)
    lines.append(f"scan: {len(findings)} findings, {len(findings) - blocking} accepted, {blocking} blocking, "
                 f"{len(stale)} stale exceptions")
    return "\n".join(lines) + "\n"
