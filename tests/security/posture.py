"""Pure predicates over rendered manifests for the security posture tests (each one is also
fed a broken object in test_posture.py, so none of them can pass by construction)."""

from __future__ import annotations

import base64
import json
from typing import Any, Iterator

Doc = dict[str, Any]
POD_SPEC_PATHS = {"Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
                  "DaemonSet": ("spec", "template", "spec"), "Job": ("spec", "template", "spec"),
                  "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"), "Pod": ("spec",)}


def ref(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def pod_specs(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        path = POD_SPEC_PATHS.get(doc.get("kind", ""))
        if path:
            spec = doc
            for key in path:
                spec = spec.get(key) or {}
            yield doc, spec


def wildcard_rules(docs: list[Doc]) -> list[str]:
    """Role/ClusterRole rules granting "*" verbs, resources or API groups."""
    found = []
    for doc in docs:
        if doc.get("kind") in ("Role", "ClusterRole"):
            for i, rule in enumerate(doc.get("rules") or []):
                for field in ("verbs", "resources", "apiGroups", "nonResourceURLs"):
                    if "*" in (rule.get(field) or []):
                        found.append(f"{ref(doc)} rules[{i}].{field}")
    return found


def token_mounts(docs: list[Doc]) -> list[str]:
    """Workloads whose pods get a ServiceAccount token: the pod's automountServiceAccountToken,
    else its ServiceAccount's, else Kubernetes' default (true)."""
    accounts = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ServiceAccount"}
    mounted = []
    for doc, spec in pod_specs(docs):
        account = accounts.get(spec.get("serviceAccountName") or "default", {})
        effective = spec.get("automountServiceAccountToken", account.get("automountServiceAccountToken", True))
        if effective is not False:
            mounted.append(ref(doc))
    return mounted


def images(docs: list[Doc]) -> list[tuple[str, str]]:
    return [(ref(doc), c.get("image", "")) for doc, spec in pod_specs(docs)
            for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]]


def secret_values(docs: list[Doc], min_length: int = 8) -> set[str]:
    """Every Secret value long enough to be recognisable (short ones like `acme` are names)."""
    values = set()
    for doc in docs:
        if doc.get("kind") == "Secret":
            values |= {base64.b64decode(v).decode(errors="replace") for v in (doc.get("data") or {}).values()}
            values |= {str(v) for v in (doc.get("stringData") or {}).values()}
    return {v for v in values if len(v) >= min_length}


def leaks(docs: list[Doc], secrets: set[str]) -> list[str]:
    """Objects other than Secrets whose text contains a Secret value (ConfigMaps, env literals,
    annotations, arguments: the whole object is searched)."""
    found = []
    for doc in docs:
        if doc.get("kind") != "Secret":
            text = json.dumps(doc)
            found += [f"{ref(doc)} holds a Secret value" for value in secrets if value in text]
    return found
