"""kubeconform over a manifest file, strict, against schemas in a local directory (never the web)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..core.errors import HarnessError
from .peer import PeerFinding, run

# kubeconform's JSON lists only the top causes; its message holds the whole error tree as
# "- at '<path>': <message>" entries, children indented below their parent.
TREE_ENTRY = re.compile(r"(\s*)- at '([^']*)': (.*?)(?=\s+- at '|$)")


def validate(binary: Path, manifests: Path, schema_dir: Path, kube_version: str) -> tuple[int, list[PeerFinding]]:
    """(objects valid, findings). A missing schema is a finding, not a skip."""
    done = run([str(binary), "-strict", "-summary", "-output", "json", "-kubernetes-version", kube_version.lstrip("v"),
                "-schema-location", str(schema_dir), str(manifests)], ok=(0, 1))
    return parse(done.stdout)


def parse(report: str) -> tuple[int, list[PeerFinding]]:
    try:
        doc = json.loads(report or "null")
    except json.JSONDecodeError:
        raise HarnessError(f"kubeconform printed no JSON report: {report.strip()[:200]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("summary"), dict):
        raise HarnessError("kubeconform: expected a JSON report with a summary (-summary)")
    findings = []
    for result in doc.get("resources") or []:
        resource = f"{result.get('kind', '?')}/{result.get('name', '?')}"
        status = result.get("status")
        leaves = error_leaves(str(result.get("msg", ""))) if status == "statusInvalid" else []
        if leaves:
            findings += [PeerFinding("kubeconform", "schema", resource, path, message) for path, message in leaves]
        elif status in ("statusInvalid", "statusError"):
            findings.append(PeerFinding("kubeconform", "invalid" if status == "statusInvalid" else "error", resource,
                                        "", " ".join(str(result.get("msg", "")).split())))
    return int(doc["summary"].get("valid", 0)), sorted(findings, key=lambda f: (f.resource, f.field, f.message))


def error_leaves(message: str) -> list[tuple[str, str]]:
    """(path, message) of the entries of the error tree that have no children: the actual errors."""
    entries = [(len(m.group(1)), m.group(2), " ".join(m.group(3).split())) for m in TREE_ENTRY.finditer(message)]
    return [(path, text) for i, (indent, path, text) in enumerate(entries)
            if i + 1 == len(entries) or entries[i + 1][0] <= indent]
