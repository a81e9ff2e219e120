"""Checks that need more than one release: helmfile `needs:` and Gateway API TLS and redirects."""

from __future__ import annotations

from pathlib import Path

import factories as f
from checking import refs, run_check
from harness.render.helmfile import HelmfileState, Release
from harness.render.scenario import Scenario


def environment(needs_platform: bool) -> Scenario:
    api = f.manifests(f.deployment(containers=[f.container(env=[
        {"name": "POSTGRES_URL", "valueFrom": {"secretKeyRef": {"name": "acme-db-credentials", "key": "url"}}}])]))
    platform = f.manifests(f.secret(), release="acme-platform")
    state = HelmfileState("local", (
        Release("acme-platform", "acme", Path("charts/acme-platform"), (), ()),
        Release("acme-api", "acme", Path("charts/acme-api"), (), ("acme-platform",) if needs_platform else ()),
    ), from_helmfile=True)
    return Scenario("env/local", api.merged(platform), "local", True, helmfile=state)


def test_needs_missing_is_reported():
    assert refs(run_check("contracts.needs", environment(needs_platform=False))) == {
        ("contracts.needs", "HelmfileRelease/acme-api", "releases[acme-api].needs")}


def test_needs_declared_passes():
    assert run_check("contracts.needs", environment(needs_platform=True)) == []


def gateway(listener_host: str) -> dict:
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "acme-gateway", "namespace": "traefik"},
            "spec": {"gatewayClassName": "traefik", "listeners": [
                {"name": "http", "protocol": "HTTP", "port": 8000},
                {"name": "https", "protocol": "HTTPS", "port": 8443, "hostname": listener_host,
                 "tls": {"certificateRefs": [{"name": "acme-api-tls"}]}}]}}


def test_httproute_hostname_without_https_listener_is_reported():
    route = f.httproute("acme-api", ["api.acme.com"])
    found = refs(run_check("tls.hosts", f.scenario(route, gateway("www.acme.com"))))
    assert found == {("tls.hosts", "HTTPRoute/acme/acme-api", "spec.parentRefs[0]")}


def test_httproute_hostname_covered_by_wildcard_listener_passes():
    route = f.httproute("acme-api", ["api.acme.com"])
    assert run_check("tls.hosts", f.scenario(route, gateway("*.acme.com"))) == []


def test_httproute_without_redirect_route_is_reported_and_with_one_passes():
    route = f.httproute("acme-api", ["api.acme.com"])
    redirect = f.httproute("acme-api-redirect", ["api.acme.com"], redirect=True)
    assert refs(run_check("tls.redirect", f.scenario(route))) == {
        ("tls.redirect", "HTTPRoute/acme/acme-api", "spec.hostnames")}
    assert run_check("tls.redirect", f.scenario(route, redirect)) == []
