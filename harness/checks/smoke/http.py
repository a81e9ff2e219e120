"""HTTP-level smoke checks; they need running containers, so without a data plane they SKIP (never PASS)."""

from __future__ import annotations

from typing import Callable, Iterable

from ...core.fields import get_or
from ..registry import Check, CheckSkipped, Finding, smoke_check
from ...live import httpprobe
from ...live.settings import HttpSettings, SmokeSettings
from ...live.snapshot import Snapshot


def _run(settings: SmokeSettings, check: Check, hosts: list[str],
         probe: Callable[[str, HttpSettings], list[str]]) -> Iterable[Finding]:
    if not settings.data_plane:
        raise CheckSkipped("no data plane")
    for host in hosts:
        for problem in probe(host, settings.http):
            yield check.finding({"metadata": {"name": host}}, "", problem, "Host")


def _hosts(snap: Snapshot, component: str, fallback: str) -> list[str]:
    """The component's public hosts as deployed (Ingress rules, HTTPRoute hostnames), so each
    environment is probed at its own names; the contract's host when nothing is deployed."""
    found: list[str] = []
    for obj in (*snap.ingresses, *snap.http_routes):
        if get_or(obj["metadata"], "labels", {}).get("app.kubernetes.io/component") != component:
            continue
        spec = get_or(obj, "spec", {})
        for name in [r.get("host") for r in spec.get("rules") or []] + list(spec.get("hostnames") or []):
            if name and name not in found:  # a host named twice, even by one object, is probed once
                found.append(name)
    return found or [fallback]


def _ui(snap: Snapshot, settings: SmokeSettings) -> list[str]:
    return _hosts(snap, "ui", settings.http.ui_host)


def api_hosts(snap: Snapshot, settings: SmokeSettings) -> list[str]:
    return _hosts(snap, "api", settings.http.api_host)


def http_tls(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    return _run(settings, check, _ui(snap, settings) + api_hosts(snap, settings), httpprobe.probe_tls)


smoke_check("http.tls", "HTTPS handshake verifies: trusted chain, SAN covers the host, TLS >= 1.2", http_tls)


def http_redirect(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    return _run(settings, check, _ui(snap, settings) + api_hosts(snap, settings), httpprobe.probe_redirect)


smoke_check("http.redirect", "plain HTTP redirects to HTTPS on the same host", http_redirect)


def http_hsts(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    return _run(settings, check, _ui(snap, settings), httpprobe.probe_hsts)


smoke_check("http.hsts", "HTTPS answers carry Strict-Transport-Security with a long max-age", http_hsts)


def http_static_cache(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    return _run(settings, check, _ui(snap, settings), httpprobe.probe_static_cache)


smoke_check("http.static-cache", "index.html revalidates; fingerprinted assets are long-cacheable", http_static_cache)


def http_api_health(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    return _run(settings, check, api_hosts(snap, settings), httpprobe.probe_health)


smoke_check("http.api-health", "the API's health endpoint answers 200 over HTTPS", http_api_health)
