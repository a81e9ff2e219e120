"""Every Service has ready endpoints (EndpointSlices), and every released Service exists."""

from __future__ import annotations

from typing import Iterable

from ...core.fields import get_or
from .inventory import missing_from_cluster
from ..registry import Check, Finding, smoke_check
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def has_ready_endpoint(snap: Snapshot, service: str) -> bool:
    # The API says an unset `ready` means ready (selector-less slices often omit it).
    return any(get_or(get_or(endpoint, "conditions"), "ready") is not False
               for eps in snap.endpoint_slices
               if get_or(get_or(eps["metadata"], "labels"), "kubernetes.io/service-name") == service
               for endpoint in eps.get("endpoints") or [])


def service_endpoints(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    yield from missing_from_cluster(snap, check, "Service", snap.services)
    for svc in snap.services:
        if get_or(svc, "spec", {}).get("type") == "ExternalName":
            continue  # resolved by DNS, no endpoints by design
        if not has_ready_endpoint(snap, svc["metadata"]["name"]):
            yield check.finding(svc, "endpoints", "no ready endpoint in any EndpointSlice", "Service")


smoke_check("service.endpoints", "every Service has at least one ready endpoint in its EndpointSlices",
            service_endpoints)
