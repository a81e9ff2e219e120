"""What the harness writes for the node's agents: client certificates the API server accepts and
owner-only kubeconfigs."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.core.errors import HarnessError
from harness.deploy.node import credentials


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    (tmp_path / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "ca.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    return tmp_path


def test_node_certificate_names_the_node_user_and_group(ca_dir: Path) -> None:
    cert_pem, _ = credentials.client_certificate(ca_dir, "system:node:acme-node", ("system:nodes",))
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "system:node:acme-node"
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["system:nodes"]
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == \
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
    ca = x509.load_pem_x509_certificate((ca_dir / "ca.crt").read_bytes())
    cert.verify_directly_issued_by(ca)


def test_missing_ca_is_one_line_naming_the_directory(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=f"cannot read the control plane's CA in {tmp_path}"):
        credentials.client_certificate(tmp_path, "system:node:acme-node")


def test_kubeconfig_is_owner_only_and_checks_the_servers_name(ca_dir: Path, tmp_path: Path) -> None:
    cert, key = credentials.client_certificate(ca_dir, "system:kube-proxy")
    path = credentials.write_kubeconfig(tmp_path / "kp" / "kubeconfig", "https://10.250.1.1:16443",
                                        ca_dir / "ca.crt", "system:kube-proxy", cert, key)
    for file in (path, path.with_suffix(".crt"), path.with_suffix(".key")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    cluster = yaml.safe_load(path.read_text())["clusters"][0]["cluster"]
    assert cluster["server"] == "https://10.250.1.1:16443" and cluster["tls-server-name"] == "localhost"
