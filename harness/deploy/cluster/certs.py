"""Local stand-in for cert-manager: a project CA issues the TLS Secrets the Ingresses name.

cert-manager's controller does not run on the local cluster (no data plane, no ACME), so
without this the TLS smoke check could only fail there. The CA lives in .cache/cluster/ca;
staging and production get their Secrets from cert-manager and never run this.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError

CA_DAYS = 3650
LEAF_DAYS = 90  # what Let's Encrypt issues, so the expiry check sees realistic numbers
MANAGED_BY = "acme-harness"


@dataclass(frozen=True)
class LocalCA:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_or_create_ca(directory: Path) -> LocalCA:
    cert_path, key_path = directory / "ca.crt", directory / "ca.key"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        return LocalCA(x509.load_pem_x509_certificate(cert_path.read_bytes()), key)  # type: ignore[arg-type]
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Acme local CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5)).not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_path.write_bytes(_key_pem(key))
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return LocalCA(cert, key)


def issue(ca: LocalCA, hosts: list[str], days: int = LEAF_DAYS) -> tuple[bytes, bytes]:
    """(certificate chain PEM, key PEM) for `hosts`, signed by the local CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca.cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(minutes=5)).not_valid_after(_now() + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM) + ca.pem, _key_pem(key)


def wanted_secrets(api: client.ApiClient, namespace: str) -> dict[str, list[str]]:
    """secretName -> hosts, from every Ingress `tls` entry in the namespace."""
    wanted: dict[str, list[str]] = {}
    for ingress in client.NetworkingV1Api(api).list_namespaced_ingress(namespace).items:
        for tls in ingress.spec.tls or []:
            if tls.secret_name and tls.hosts:
                hosts = wanted.setdefault(tls.secret_name, [])
                hosts += [h for h in tls.hosts if h not in hosts]
    return wanted


def ensure_tls_secrets(api: client.ApiClient, namespace: str, ca: LocalCA) -> list[str]:
    """Create the missing TLS Secrets; leaves existing ones (maybe cert-manager's) alone."""
    core = client.CoreV1Api(api)
    created = []
    for name, hosts in sorted(wanted_secrets(api, namespace).items()):
        chain, key = issue(ca, hosts)
        body = client.V1Secret(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace,
                                         labels={"app.kubernetes.io/managed-by": MANAGED_BY,
                                                 "app.kubernetes.io/part-of": "acme"}),
            type="kubernetes.io/tls",
            data={k: base64.b64encode(v).decode() for k, v in
                  {"tls.crt": chain, "tls.key": key, "ca.crt": ca.pem}.items()})
        try:
            core.create_namespaced_secret(namespace, body)
            created.append(name)
        except ApiException as err:
            if err.status != 409:
                raise HarnessError(f"certs: creating Secret {namespace}/{name} failed: {err.reason}") from None
    return created
