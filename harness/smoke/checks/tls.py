"""Every Ingress TLS entry has its Secret, with a certificate covering its hosts and not expiring soon."""

from __future__ import annotations

import base64
from typing import Iterable

from ...registry import Finding
from ..certificates import covers, days_left, dns_names, leaf
from ..registry import SmokeCheck, smoke_check
from ..settings import SmokeSettings
from ..snapshot import Snapshot


@smoke_check("tls.certificates", "every Ingress TLS Secret holds a certificate for its hosts valid for N more days")
def tls_certificates(snap: Snapshot, settings: SmokeSettings, check: SmokeCheck) -> Iterable[Finding]:
    for ing in snap.ingresses:
        for index, tls in enumerate(ing.get("spec", {}).get("tls") or []):
            field = f"spec.tls[{index}]"
            name = tls.get("secretName")
            secret = snap.named(snap.tls_secrets, name) if name else None
            if secret is None:
                yield check.finding(ing, f"{field}.secretName", f"TLS Secret {name!r} not found", "Ingress")
                continue
            try:
                cert = leaf(base64.b64decode(secret["data"]["tls.crt"]))
            except (KeyError, ValueError) as err:
                yield check.finding(secret, "data[tls.crt]", f"no parsable certificate: {err}", "Secret")
                continue
            names = dns_names(cert)
            for host in tls.get("hosts") or []:
                if not covers(names, host):
                    yield check.finding(secret, "data[tls.crt]", f"certificate does not cover {host} (SAN: {names})", "Secret")
            left = days_left(cert, snap.taken_at)
            if left < settings.cert_min_days:
                yield check.finding(secret, "data[tls.crt]",
                                    f"certificate expires in {left:.1f} days (< {settings.cert_min_days})", "Secret")
            if cert.not_valid_before_utc > snap.taken_at:
                yield check.finding(secret, "data[tls.crt]", "certificate not valid yet", "Secret")
