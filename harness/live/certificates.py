"""X.509 facts the TLS checks need: which hosts a certificate covers and how long it lasts."""

from __future__ import annotations

import datetime as dt

from cryptography import x509


def leaf(pem: bytes) -> x509.Certificate:
    """The first certificate of a PEM chain (the server's own)."""
    return x509.load_pem_x509_certificates(pem)[0]


def dns_names(cert: x509.Certificate) -> list[str]:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return []  # the CN alone has not counted for browsers since 2017


def covers(names: list[str], host: str) -> bool:
    """RFC 6125: exact match, or a wildcard standing for exactly one leftmost label."""
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def days_left(cert: x509.Certificate, now: dt.datetime) -> float:
    return (cert.not_valid_after_utc - now).total_seconds() / 86400
