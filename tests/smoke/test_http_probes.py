"""HTTP/TLS probes against real HTTPS servers on loopback, with trustme certificates.

One well-behaved site (HTTP redirects, HSTS, cache headers, health endpoint); each test
breaks one behaviour and expects the matching probe to report it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import trustme

from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke
from harness.live import httpprobe
from harness.live.settings import SmokeSettings
from http_site import site  # noqa: F401 (fixture; `ca` comes from conftest)


def test_well_behaved_site_passes_every_probe(site):
    s = site.settings
    assert httpprobe.probe_tls("www.acme.com", s) == []
    assert httpprobe.probe_tls("api.acme.com", s) == []
    assert httpprobe.probe_redirect("www.acme.com", s) == []
    assert httpprobe.probe_hsts("www.acme.com", s) == []
    assert httpprobe.probe_static_cache("www.acme.com", s) == []
    assert httpprobe.probe_health("api.acme.com", s) == []


def test_tls_fails_when_san_does_not_cover_host(site):
    assert "TLS verification failed" in httpprobe.probe_tls("evil.acme.com", site.settings)[0]


def test_tls_fails_for_an_untrusted_chain(site, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    problems = httpprobe.probe_tls("www.acme.com", replace(site.settings, ca_file=str(other)))
    assert "TLS verification failed" in problems[0]


def test_tls_fails_for_an_expired_certificate(site):
    assert "expired" in httpprobe.probe_tls("expired.acme.com", site.settings)[0]


def test_tls_fails_when_nothing_listens(site):
    assert "cannot connect" in httpprobe.probe_tls("www.acme.com", replace(site.settings, https_port=1))[0]


@pytest.mark.parametrize("redirect_to", [None, "http://www.acme.com/", "https://elsewhere.example/"],
                         ids=["no-redirect", "redirect-to-http", "redirect-off-host"])
def test_redirect_fails(site, redirect_to):
    site.behaviour.redirect_to = redirect_to
    assert httpprobe.probe_redirect("www.acme.com", site.settings)


@pytest.mark.parametrize("hsts", [None, "max-age=300", "includeSubDomains"], ids=["absent", "too-short", "no-max-age"])
def test_hsts_fails(site, hsts):
    site.behaviour.hsts = hsts
    assert httpprobe.probe_hsts("www.acme.com", site.settings)


@pytest.mark.parametrize(("field", "value"), [
    ("index_cache", "public, max-age=3600"),
    ("asset_cache", "public, max-age=60"),
    ("asset_cache", "no-store"),
    ("index_body", "<html><script src=\"/app.js\"></script></html>"),
], ids=["index-cached-for-an-hour", "asset-cached-a-minute", "asset-not-cacheable", "no-fingerprinted-asset"])
def test_static_cache_fails(site, field, value):
    setattr(site.behaviour, field, value)
    assert httpprobe.probe_static_cache("www.acme.com", site.settings)


def test_health_fails_on_503(site):
    site.behaviour.health_status = 503
    assert "503" in httpprobe.probe_health("api.acme.com", site.settings)[0]


@pytest.fixture
def exposed(healthy, site):
    """The healthy snapshot, its API Ingress labelled as the contract says, served by `site`."""
    healthy.ingresses[0]["metadata"]["labels"]["app.kubernetes.io/component"] = "api"
    return healthy


def test_smoke_http_checks_pass_with_a_data_plane(exposed, site):
    settings = SmokeSettings(data_plane=True, http=site.settings)
    for check in (c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")):
        result = run_smoke(exposed, settings, [check])[0]
        assert result.status is Status.PASS, (check.id, result.findings)


def test_smoke_http_checks_probe_the_deployed_hosts(exposed, site):
    exposed.ingresses[0]["spec"]["rules"][0]["host"] = "api.staging.acme.com"
    # Served by the same loopback site, whose certificate does not name the staging host.
    http = replace(site.settings, resolve={**site.settings.resolve, "api.staging.acme.com": "127.0.0.1"})
    settings = SmokeSettings(data_plane=True, http=http)
    check = next(c for c in all_checks(Subject.SNAPSHOT) if c.id == "http.api-health")
    result = run_smoke(exposed, settings, [check])[0]
    assert result.status is Status.FAIL
    assert result.findings[0].object.name == "api.staging.acme.com"
    assert "TLS verification failed" in result.findings[0].message


def test_connect_to_sends_every_host_to_one_address_and_resolve_still_wins(exposed, site):
    # The real node's edge: one address for every public host, like a load balancer's.
    edge = replace(site.settings, resolve={}, connect_to="127.0.0.1")
    settings = SmokeSettings(data_plane=True, http=edge)
    for check in (c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")):
        assert run_smoke(exposed, settings, [check])[0].status is Status.PASS, check.id
    # an explicit --resolve entry for a host beats connect_to: here an address nothing listens on
    misrouted = replace(edge, resolve={"api.acme.com": "127.0.0.2"}, timeout=1.0)
    check = next(c for c in all_checks(Subject.SNAPSHOT) if c.id == "http.api-health")
    result = run_smoke(exposed, SmokeSettings(data_plane=True, http=misrouted), [check])[0]
    assert result.status is Status.FAIL and "127.0.0.2" in result.findings[0].message
