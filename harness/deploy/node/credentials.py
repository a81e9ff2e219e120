"""Client certificates for the node's agents, signed by the control plane's own CA, and the
kubeconfigs that point them at the API server through the veth pair."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ...core.errors import HarnessError

DAYS = 365
# The API server's serving certificate (kwokctl's) names loopback and `localhost`; the node dials
# the host end of the veth pair, so it checks the certificate against this name instead.
SERVER_NAME = "localhost"


def client_certificate(ca_dir: Path, user: str, groups: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for `user` in `groups`, signed by the CA in `ca_dir`."""
    try:
        with warnings.catch_warnings():
            # kwokctl's CA has a negative serial number; it only signs here, its serial is not ours to fix.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            ca_cert = x509.load_pem_x509_certificate((ca_dir / "ca.crt").read_bytes())
        ca_key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), None)
    except (OSError, ValueError) as err:
        raise HarnessError(f"node: cannot read the control plane's CA in {ca_dir}: {err}") from None
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user),
                         *(x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def write_kubeconfig(path: Path, server: str, ca_file: Path, user: str, cert: bytes, key: bytes) -> Path:
    """An owner-only kubeconfig with the certificate and key beside it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert_file, key_file = path.with_suffix(".crt"), path.with_suffix(".key")
    for file, data in ((cert_file, cert), (key_file, key)):
        file.write_bytes(data)
        os.chmod(file, 0o600)
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "node",
        "clusters": [{"name": "local", "cluster": {"server": server, "certificate-authority": str(ca_file),
                                                   "tls-server-name": SERVER_NAME}}],
        "users": [{"name": user, "user": {"client-certificate": str(cert_file), "client-key": str(key_file)}}],
        "contexts": [{"name": "node", "context": {"cluster": "local", "user": user}}],
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    os.chmod(path, 0o600)
    return path
