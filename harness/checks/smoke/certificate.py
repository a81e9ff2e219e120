"""TLS material of every entry point: each Ingress `tls` entry, and each HTTPS Gateway listener
an Acme HTTPRoute attaches to, has its Secret with a certificate covering the hosts and not
expiring within N days."""

from __future__ import annotations

import base64
from typing import Iterable

from ...core.fields import get_or
from ..registry import Check, Finding, smoke_check
from ...live.certificates import covers, days_left, dns_names, leaf
from ...live.settings import SmokeSettings
from ...live.snapshot import Obj, Snapshot


def _certificate(snap: Snapshot, settings: SmokeSettings, check: Check, secret: Obj,
                 hosts: list[str]) -> Iterable[Finding]:
    try:
        cert = leaf(base64.b64decode(secret["data"]["tls.crt"]))
    except (KeyError, ValueError) as err:
        yield check.finding(secret, "data[tls.crt]", f"no parsable certificate: {err}", "Secret")
        return
    names = dns_names(cert)
    for host in hosts:
        if not covers(names, host):
            yield check.finding(secret, "data[tls.crt]", f"certificate does not cover {host} (SAN: {names})", "Secret")
    left = days_left(cert, snap.taken_at)
    if left < settings.cert_min_days:
        yield check.finding(secret, "data[tls.crt]", f"certificate expires in {left:.1f} days (< {settings.cert_min_days})",
                            "Secret")
    if cert.not_valid_before_utc > snap.taken_at:
        yield check.finding(secret, "data[tls.crt]", "certificate not valid yet", "Secret")


def _ingresses(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for ing in snap.ingresses:
        for index, tls in enumerate(get_or(ing, "spec", {}).get("tls") or []):
            name = tls.get("secretName")
            secret = snap.named(snap.tls_secrets, name, snap.namespace) if name else None
            if secret is None:
                yield check.finding(ing, f"spec.tls[{index}].secretName", f"TLS Secret {name!r} not found", "Ingress")
            else:
                yield from _certificate(snap, settings, check, secret, tls.get("hosts") or [])


def _https_listeners(gateway: Obj, section: str | None) -> list[Obj]:
    return [listener for listener in get_or(gateway, "spec", {}).get("listeners") or []
            if listener.get("protocol") == "HTTPS" and (section is None or listener.get("name") == section)]


def _routes(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for route in snap.http_routes:
        for ref in get_or(route, "spec", {}).get("parentRefs") or []:
            gw_ns = get_or(ref, "namespace", snap.namespace)
            gateway = snap.named(snap.gateways, ref["name"], gw_ns)
            if gateway is None:
                yield check.finding(route, "spec.parentRefs", f"Gateway {gw_ns}/{ref['name']} not found", "HTTPRoute")
                continue
            listeners = _https_listeners(gateway, ref.get("sectionName"))
            if not listeners:
                continue  # attached to a plain-HTTP listener only: the redirect route
            for host in route["spec"].get("hostnames") or []:
                serving = [lst for lst in listeners if not lst.get("hostname") or covers([lst["hostname"]], host)]
                if not serving:
                    yield check.finding(route, "spec.hostnames", f"no HTTPS listener of {gw_ns}/{ref['name']} serves {host}",
                                        "HTTPRoute")
                for listener in serving:
                    for cref in (listener.get("tls") or {}).get("certificateRefs") or []:
                        secret_ns = get_or(cref, "namespace", gw_ns)
                        secret = snap.named(snap.tls_secrets, cref["name"], secret_ns)
                        if secret is None:
                            yield check.finding(gateway, f"spec.listeners[{listener.get('name')}].tls",
                                                f"TLS Secret {secret_ns}/{cref['name']} not found", "Gateway")
                        else:
                            yield from _certificate(snap, settings, check, secret, [host])


def certificate_valid(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    yield from _ingresses(snap, settings, check)
    yield from _routes(snap, settings, check)


smoke_check("certificate.valid", "every Ingress/Gateway TLS Secret holds a certificate for its hosts valid for N more days",
            certificate_valid)
