"""`python -m harness.publish.scan`: the opt-in policy scan — checkov over every environment's manifests.

Checkov (PyPI, pinned with every dependency in tools/checkov/requirements.txt, installed into
its own venv because it brings ~100 packages) scans what `helmfile -e ENV` would deploy,
rendered by the harness.
Its open-source edition reports no severities offline, so every failed check blocks unless
policy/scan-exceptions.yaml accepts it, for named resources, with a reason. An exception
that matches nothing blocks too, so the list cannot rot.
Exit codes: 0 clean, 1 blocking findings, 2 bad input (no checkov, a malformed exception file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from ..policy.exceptions import Accepted, load_exceptions as _load_exceptions, unused as _unused
from ..render.helmfile import environment_names
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


def load_exceptions(path: Path) -> list[Accepted]:
    return _load_exceptions(path, _checkov_id)


def _checkov_id(entry: dict, where: str) -> str | None:
    if not str(entry.get("check", "")).startswith("CKV_"):
        return f"{where}.check: a checkov id (CKV_…), got {entry.get('check')!r}"
    return None


def find_checkov(project: Project, explicit: str | None = None) -> Path:
    candidates = [explicit, os.environ.get("ACME_CHECKOV"), str(project.root / SCAN_VENV / "bin" / "checkov"),
                  shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return Path(candidate)
    if explicit:
        raise HarnessError(f"--checkov: {explicit} does not exist")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.publish.scan", description=__doc__.split("\n")[0])
    parser.add_argument("--env", action="append", default=[], help="environment to scan (repeatable; default all)")
    parser.add_argument("--checkov", help=f"checkov binary (default $ACME_CHECKOV, {SCAN_VENV}/bin/checkov, PATH)")
    parser.add_argument("--exceptions", type=Path, help="accepted findings (default policy/scan-exceptions.yaml)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    try:
        project = Project.discover()
        exceptions = load_exceptions(args.exceptions or project.root / "policy" / "scan-exceptions.yaml")
        known = environment_names(project)
        for env in args.env:
            if env not in known:
                raise HarnessError(f"unknown environment `{env}` (known: {', '.join(known)})")
        findings = scan(project, args.env or known, find_checkov(project, args.checkov), exceptions)
    except HarnessError as err:
        print(f"harness scan: error: {err}", file=sys.stderr)
        return 2
    # Only a full scan can tell an exception matches nothing anywhere.
    stale = [] if args.env else unused(exceptions, findings)
    if args.format == "json":
        print(json.dumps([{"env": f.env, "check": f.check, "title": f.title, "resource": f.resource,
                           "accepted": f.accepted.reason if f.accepted else None} for f in findings], indent=2))
    else:
        sys.stdout.write(table(findings, stale))
    return 1 if stale or any(not f.accepted for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
