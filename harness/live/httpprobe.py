"""HTTP-level probes with a real TLS client (stdlib ssl: chain and hostname verified).

Each probe returns a list of problems (empty = fine); connection and TLS failures are
problems too, so a probe never raises for a misbehaving server.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from .settings import HttpSettings

# Same idea as the UI chart's fingerprintPattern: a hex hash of 8+ chars before the extension.
ASSET_RE = re.compile(r"""(?:src|href)=["']([^"']+\.[0-9a-f]{8,}\.(?:js|mjs|css|woff2?|svg|png|jpe?g|webp|ico))["']""", re.I)


class ProbeError(Exception):
    """A connection, TLS or protocol failure, worded for a finding."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def _tls_context(settings: HttpSettings) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=settings.ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def fetch(url: str, settings: HttpSettings, headers: dict[str, str] | None = None) -> Response:
    """GET `url` (with `headers` besides Host and User-Agent) without following redirects; connect to
    settings.resolve[host] when given, else to settings.connect_to when given, else to the host's own address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (settings.https_port if https else settings.http_port)
    address = settings.resolve.get(host, settings.connect_to or host)
    try:
        sock = socket.create_connection((address, port), timeout=settings.timeout)
    except OSError as err:
        raise ProbeError(f"cannot connect to {host} ({address}:{port}): {err}") from None
    try:
        if https:
            sock = _tls_context(settings).wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, port, timeout=settings.timeout)
        conn.sock = sock  # our socket: resolved address, verified TLS with SNI = host
        conn.request("GET", parts.path or "/", headers={**(headers or {}), "Host": host, "User-Agent": "acme-smoke"})
        raw = conn.getresponse()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
    except ssl.SSLCertVerificationError as err:
        raise ProbeError(f"TLS verification failed for {host}: {err.verify_message}") from None
    except (ssl.SSLError, OSError, http.client.HTTPException) as err:
        raise ProbeError(f"{url}: {err.__class__.__name__}: {err}") from None
    finally:
        sock.close()


def _max_age(cache_control: str) -> int | None:
    found = re.search(r"max-age=(\d+)", cache_control)
    return int(found.group(1)) if found else None


def probe_tls(host: str, settings: HttpSettings) -> list[str]:
    """The handshake verifies chain and SAN; any HTTP answer after it proves the TLS side."""
    try:
        fetch(f"https://{host}/", settings)
    except ProbeError as err:
        return [str(err)]
    return []


def probe_redirect(host: str, settings: HttpSettings) -> list[str]:
    try:
        resp = fetch(f"http://{host}/", settings)
    except ProbeError as err:
        return [str(err)]
    location = resp.headers.get("location", "")
    if resp.status not in (301, 302, 307, 308):
        return [f"http://{host}/ answered {resp.status}, not a redirect"]
    if not location.startswith(f"https://{host}"):
        return [f"http://{host}/ redirects to {location!r}, not https://{host}"]
    return []


def probe_hsts(host: str, settings: HttpSettings) -> list[str]:
    try:
        resp = fetch(f"https://{host}/", settings)
    except ProbeError as err:
        return [str(err)]
    header = resp.headers.get("strict-transport-security")
    if header is None:
        return [f"https://{host}/ sends no Strict-Transport-Security"]
    age = _max_age(header)
    if age is None or age < settings.min_hsts_seconds:
        return [f"HSTS max-age {age} below {settings.min_hsts_seconds}"]
    return []


def probe_static_cache(host: str, settings: HttpSettings) -> list[str]:
    """index.html must revalidate; a fingerprinted asset it references must be long-cacheable."""
    try:
        index = fetch(f"https://{host}/", settings)
    except ProbeError as err:
        return [str(err)]
    if index.status != 200:
        return [f"https://{host}/ answered {index.status}"]
    problems = []
    html_cc = index.headers.get("cache-control", "")
    if "no-cache" not in html_cc and _max_age(html_cc) != 0:
        problems.append(f"index.html Cache-Control {html_cc!r} lets caches serve a stale page")
    asset = ASSET_RE.search(index.body.decode("utf-8", "replace"))
    if asset is None:
        return problems + ["index.html references no fingerprinted asset"]
    path = asset.group(1) if asset.group(1).startswith("/") else "/" + asset.group(1)
    try:
        resp = fetch(f"https://{host}{path}", settings)
    except ProbeError as err:
        return problems + [str(err)]
    age = _max_age(resp.headers.get("cache-control", ""))
    if resp.status != 200:
        problems.append(f"{path} answered {resp.status}")
    elif age is None or age < settings.min_asset_max_age:
        problems.append(f"{path} Cache-Control max-age {age} below {settings.min_asset_max_age}")
    return problems


def probe_health(host: str, settings: HttpSettings) -> list[str]:
    try:
        resp = fetch(f"https://{host}{settings.api_health_path}", settings)
    except ProbeError as err:
        return [str(err)]
    if resp.status != 200:
        return [f"https://{host}{settings.api_health_path} answered {resp.status}"]
    return []
