"""HTTP/TLS probes against real HTTPS servers on loopback, with trustme certificates.

One well-behaved site (HTTP redirects, HSTS, cache headers, health endpoint); each test
breaks one behaviour and expects the matching probe to report it.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
import trustme

from harness.live import httpprobe
from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke
from harness.live.settings import HttpSettings, SmokeSettings

ASSET = "/assets/app.3f9a2c1b.js"
HOSTS = ("www.acme.com", "api.acme.com")


@dataclass
class Behaviour:
    redirect_to: str | None = "https://{host}/"
    hsts: str | None = "max-age=63072000; includeSubDomains"
    index_cache: str = "no-cache"
    asset_cache: str = "public, max-age=31536000, immutable"
    index_body: str = f'<html><script src="{ASSET}"></script></html>'
    health_status: int = 200


def handler(behaviour: Behaviour, tls: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            host = self.headers["Host"]
            if not tls:
                if behaviour.redirect_to:
                    self.answer(308, {"Location": behaviour.redirect_to.format(host=host)})
                else:
                    self.answer(200, {}, b"plain")
                return
            common = {"Strict-Transport-Security": behaviour.hsts} if behaviour.hsts else {}
            if self.path == "/":
                self.answer(200, {**common, "Cache-Control": behaviour.index_cache}, behaviour.index_body.encode())
            elif self.path == ASSET:
                self.answer(200, {**common, "Cache-Control": behaviour.asset_cache}, b"js")
            elif self.path == "/healthz/ready":
                self.answer(behaviour.health_status, common, b"ok")
            else:
                self.answer(404, common)

    return Handler


def serve(server: ThreadingHTTPServer) -> threading.Thread:
    # A short poll interval keeps shutdown (each test's teardown) fast.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    return thread


@dataclass
class Site:
    behaviour: Behaviour
    settings: HttpSettings
    ca: trustme.CA


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def site(ca: trustme.CA, tmp_path) -> Iterator[Site]:
    behaviour = Behaviour()
    good = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*HOSTS).configure_cert(good)
    expired = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    now = dt.datetime.now(dt.timezone.utc)
    ca.issue_cert("expired.acme.com", not_before=now - dt.timedelta(days=30),
                  not_after=now - dt.timedelta(days=1)).configure_cert(expired)

    def pick(sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        if name == "expired.acme.com":
            sock.context = expired

    good.sni_callback = pick
    https = ThreadingHTTPServer(("127.0.0.1", 0), handler(behaviour, tls=True))
    https.socket = good.wrap_socket(https.socket, server_side=True)
    plain = ThreadingHTTPServer(("127.0.0.1", 0), handler(behaviour, tls=False))
    threads = [serve(https), serve(plain)]
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    names = (*HOSTS, "evil.acme.com", "expired.acme.com")
    settings = HttpSettings(resolve={h: "127.0.0.1" for h in names}, https_port=https.server_address[1],
                            http_port=plain.server_address[1], ca_file=str(ca_file), timeout=3)
    yield Site(behaviour, settings, ca)
    for server in (https, plain):
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join()


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


HTTP_BREAKS = [
    ("http.tls", lambda site: setattr(site, "settings", replace(site.settings, https_port=1))),
    ("http.redirect", lambda site: setattr(site.behaviour, "redirect_to", None)),
    ("http.hsts", lambda site: setattr(site.behaviour, "hsts", "max-age=300")),
    ("http.static-cache", lambda site: setattr(site.behaviour, "asset_cache", "no-store")),
    ("http.api-health", lambda site: setattr(site.behaviour, "health_status", 503)),
]


@pytest.mark.parametrize(("check_id", "breaker"), HTTP_BREAKS, ids=[c for c, _ in HTTP_BREAKS])
def test_each_http_check_fails_on_its_broken_behaviour(exposed, site, check_id, breaker):
    """Through the registry: the check (not only its probe) turns the broken behaviour into a FAIL."""
    breaker(site)
    check = next(c for c in all_checks(Subject.SNAPSHOT) if c.id == check_id)
    result = run_smoke(exposed, SmokeSettings(data_plane=True, http=site.settings), [check])[0]
    assert result.status is Status.FAIL and result.findings, check_id
