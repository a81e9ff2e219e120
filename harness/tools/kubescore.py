"""kube-score over a manifest file: its JSON report (format v2) as findings.

A check counts when kube-score grades it CRITICAL (1) or WARNING (5) and did not skip it;
each of its comments (path + summary) becomes one finding.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import HarnessError
from .peer import PeerFinding, run

GRADES = {1: "CRITICAL", 5: "WARNING"}  # 7 "almost OK" and 10 "all OK" pass


def score(binary: Path, manifests: Path, kube_version: str) -> list[PeerFinding]:
    minor = ".".join(kube_version.lstrip("v").split(".")[:2])  # kube-score takes vN.NN
    done = run([str(binary), "score", "--output-format", "json", "--kubernetes-version", f"v{minor}",
                str(manifests)], ok=(0, 1))
    if not done.stdout.strip():  # exit 1 without a report: it could not read the manifests
        raise HarnessError(f"kube-score could not score {manifests.name}: {' '.join(done.stderr.split())[:300]}")
    return parse(done.stdout)


def parse(report: str) -> list[PeerFinding]:
    try:
        objects = json.loads(report or "null")
    except json.JSONDecodeError:
        raise HarnessError(f"kube-score printed no JSON report: {report.strip()[:200]}") from None
    if not isinstance(objects, list):
        raise HarnessError("kube-score: expected a JSON list of scored objects")
    findings = []
    for obj in objects:
        resource = f"{(obj.get('type_meta') or {}).get('kind', '?')}/{(obj.get('object_meta') or {}).get('name', '?')}"
        for scored in obj.get("checks") or []:
            severity = GRADES.get(scored.get("grade"))
            if severity is None or scored.get("skipped"):
                continue
            check = (scored.get("check") or {}).get("id", "?")
            for comment in scored.get("comments") or [{"path": "", "summary": ""}]:
                message = " ".join(f"{comment.get('summary', '')} {comment.get('description', '')}".split())
                findings.append(PeerFinding("kube-score", check, resource, comment.get("path", ""), message, severity))
    return sorted(findings, key=lambda f: (f.check, f.resource, f.field, f.message))
