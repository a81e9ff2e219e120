"""Nothing exposes the database or the metrics collector outside the cluster."""

from __future__ import annotations

from typing import Iterable

from ...core.fields import get_or
from ..registry import Check, Finding, smoke_check
from ...live.settings import SmokeSettings
from ...live.snapshot import Obj, Snapshot

COMPONENT = "app.kubernetes.io/component"


def _internal(svc: Obj, settings: SmokeSettings) -> bool:
    spec = get_or(svc, "spec", {})
    components = {(spec.get("selector") or {}).get(COMPONENT), get_or(svc["metadata"], "labels", {}).get(COMPONENT)}
    return bool(components & set(settings.internal_components))


def exposure_internal(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    internal = {s["metadata"]["name"] for s in snap.services if _internal(s, settings)}
    for svc in snap.services:
        if svc["metadata"]["name"] not in internal:
            continue
        spec = get_or(svc, "spec", {})
        if spec.get("type") in ("LoadBalancer", "NodePort"):
            yield check.finding(svc, "spec.type", f"{spec['type']} exposes an internal component", "Service")
        if spec.get("externalIPs"):
            yield check.finding(svc, "spec.externalIPs", "external IPs expose an internal component", "Service")
    for ing in snap.ingresses:
        spec = get_or(ing, "spec", {})
        backends = [spec.get("defaultBackend") or {}]
        backends += [get_or(p, "backend", {}) for r in spec.get("rules") or [] for p in get_or(get_or(r, "http"), "paths", [])]
        for backend in backends:
            name = (backend.get("service") or {}).get("name")
            if name in internal:
                yield check.finding(ing, "spec.rules.http.paths.backend", f"routes to internal Service {name}", "Ingress")
    for route in snap.http_routes:
        for rule in get_or(route, "spec", {}).get("rules") or []:
            for backend in rule.get("backendRefs") or []:
                if get_or(backend, "kind", "Service") == "Service" and backend.get("name") in internal:
                    yield check.finding(route, "spec.rules.backendRefs", f"routes to internal Service {backend['name']}",
                                        "HTTPRoute")


smoke_check("exposure.internal", "no LoadBalancer, NodePort, external IP, Ingress or HTTPRoute reaches the database or metrics",
            exposure_internal)
