"""A well-behaved Acme site on loopback (HTTP redirects, HSTS, cache headers, health endpoint), with
trustme certificates; tests flip one `Behaviour` field to break one thing."""

from __future__ import annotations

import contextlib
import datetime as dt
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import trustme

from harness.live.settings import HttpSettings

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
    echo_request_id: bool = True  # the API answers with the caller's X-Request-Id, as the stand-in API does
    request_ids: list[str] = field(default_factory=list)  # every X-Request-Id the API saw: what it logged


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
                request_id = self.headers.get("X-Request-Id")
                if request_id:
                    behaviour.request_ids.append(request_id)
                echo = {"X-Request-Id": request_id} if request_id and behaviour.echo_request_id else {}
                self.answer(behaviour.health_status, {**common, **echo}, b"ok")
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


@contextlib.contextmanager
def running_site(ca: trustme.CA, tmp_path: Path) -> Iterator[Site]:
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
    try:
        yield Site(behaviour, settings, ca)
    finally:
        _stop((https, plain), threads)


def _stop(servers, threads) -> None:
    for server in servers:
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join()


@pytest.fixture
def site(ca: trustme.CA, tmp_path: Path) -> Iterator[Site]:
    """The site, stopped after the test; `ca` comes from the importing conftest or module."""
    with running_site(ca, tmp_path) as started:
        yield started
