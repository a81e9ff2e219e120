"""The local cert-manager stand-in issues certificates the TLS smoke check accepts."""

from __future__ import annotations

import base64
import ssl

from harness.deploy.cluster import certs
from harness.live.certificates import covers, dns_names, leaf
from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke


def test_issued_chain_covers_hosts_and_verifies_against_the_ca(tmp_path):
    ca = certs.load_or_create_ca(tmp_path / "ca")
    chain, key = certs.issue(ca, ["www.acme.com", "acme.com"])
    cert = leaf(chain)
    assert covers(dns_names(cert), "www.acme.com") and covers(dns_names(cert), "acme.com")
    assert not covers(dns_names(cert), "api.acme.com")
    ctx = ssl.create_default_context(cadata=ca.pem.decode())
    assert ctx.cert_store_stats()["x509_ca"] == 1
    assert (tmp_path / "ca" / "ca.key").stat().st_mode & 0o777 == 0o600


def test_ca_is_reused_not_regenerated(tmp_path):
    first = certs.load_or_create_ca(tmp_path / "ca")
    assert certs.load_or_create_ca(tmp_path / "ca").cert == first.cert


def test_tls_check_accepts_a_locally_issued_secret(tmp_path, healthy, settings):
    chain, _ = certs.issue(certs.load_or_create_ca(tmp_path / "ca"), ["api.acme.com"])
    healthy.tls_secrets[0]["data"]["tls.crt"] = base64.b64encode(chain).decode()
    check = next(c for c in all_checks(Subject.SNAPSHOT) if c.id == "certificate.valid")
    healthy.taken_at = leaf(chain).not_valid_before_utc
    assert run_smoke(healthy, settings, [check])[0].status is Status.PASS


def test_wildcards_cover_one_label_only():
    assert covers(["*.acme.com"], "www.acme.com")
    assert not covers(["*.acme.com"], "a.b.acme.com")
    assert not covers(["*.acme.com"], "acme.com")
