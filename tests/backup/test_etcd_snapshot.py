"""The etcd snapshot CronJob's own command and env, run against a real TLS etcd on loopback, then
uploaded with upload.sh and restored with etcdutl as the backup README's procedure says."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import trustme

from rendered import find, render_values
from services import REPO_ROOT, aws, free_port, run_script, wait_for_port
from pinned_tools import pinned_tool

pytestmark = pytest.mark.slow

TOOLS = REPO_ROOT / ".tools" / "bin"
CI_VALUES = REPO_ROOT / "charts" / "acme-platform" / "ci" / "08-backup-in-cluster-values.yaml"


def start_etcd(data: Path, tls: dict[str, Path] | None, log: Path) -> tuple[subprocess.Popen, str]:
    client, peer = free_port(), free_port()
    scheme = "https" if tls else "http"
    args = [TOOLS / "etcd", "--name", "default", "--data-dir", data,
            "--listen-client-urls", f"{scheme}://127.0.0.1:{client}", "--advertise-client-urls", f"{scheme}://127.0.0.1:{client}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"default=http://127.0.0.1:{peer}"]
    if tls:
        # Client certificates are required, as on a kubeadm control plane.
        args += ["--cert-file", tls["cert"], "--key-file", tls["key"], "--trusted-ca-file", tls["ca"], "--client-cert-auth"]
    with log.open("w") as out:  # the child keeps its own descriptor
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    wait_for_port(client, process)
    return process, f"{scheme}://127.0.0.1:{client}"


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    """A CA, etcd's serving certificate and the backup client's certificate (the Secret's three keys)."""
    pinned_tool("etcd")
    ca = trustme.CA()
    directory = tmp_path_factory.mktemp("etcd-pki")
    files = {"ca": directory / "ca.crt", "cert": directory / "server.crt", "key": directory / "server.key"}
    ca.cert_pem.write_to_path(files["ca"])
    server = ca.issue_cert("127.0.0.1")
    server.cert_chain_pems[0].write_to_path(files["cert"])
    server.private_key_pem.write_to_path(files["key"])
    client_dir = directory / "etcd-client"  # what the CronJob mounts at /etcd-client
    client_dir.mkdir()
    client = ca.issue_cert("acme-etcd-snapshot")
    ca.cert_pem.write_to_path(client_dir / "ca.crt")
    client.cert_chain_pems[0].write_to_path(client_dir / "tls.crt")
    client.private_key_pem.write_to_path(client_dir / "tls.key")
    return {**files, "client": client_dir}


@pytest.fixture(scope="module")
def etcd(pki, tmp_path_factory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("etcd")
    process, url = start_etcd(directory / "data", pki, directory / "etcd.log")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def snapshot_container() -> dict:
    """The init container of CronJob acme-etcd-snapshot as the chart renders it."""
    documents = render_values("acme-platform", (CI_VALUES,))
    job = find(documents, "CronJob", "acme-etcd-snapshot")
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]


def etcdctl(url: str, client: Path, *args: str) -> str:
    return subprocess.run([TOOLS / "etcdctl", "--endpoints", url, "--cacert", client / "ca.crt",
                           "--cert", client / "tls.crt", "--key", client / "tls.key", *args],
                          capture_output=True, text=True, check=True).stdout


def test_snapshot_upload_and_restore(etcd, pki, s3, tools_path, snapshot_container, tmp_path):
    etcdctl(etcd, pki["client"], "put", "/registry/acme/marker", "before-the-snapshot")
    backup = tmp_path / "backup"
    backup.mkdir()
    # The container's command and env, with its two mounts mapped to local directories and the
    # endpoint pointed at the loopback etcd.
    paths = {"/etcd-client": str(pki["client"]), "/backup": str(backup)}

    def local(value: str) -> str:
        for mount, directory in paths.items():
            value = value.replace(mount, directory)
        return value

    env = {e["name"]: local(e["value"]) for e in snapshot_container["env"]}
    env["ETCDCTL_ENDPOINTS"] = etcd
    command = [local(part) for part in snapshot_container["command"]]
    assert command[0] == "etcdctl"
    saved = subprocess.run([TOOLS / command[0], *command[1:]], env={**os.environ, **env}, capture_output=True, text=True)
    assert saved.returncode == 0, saved.stderr

    uploaded = run_script("upload.sh", {**s3.env("etcd"), "BACKUP_DIR": str(backup)}, tools_path)
    assert uploaded.returncode == 0, uploaded.stderr
    keys = s3.keys("etcd")
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["etcd-snapshot.db", "etcd-snapshot.db.sha256"]

    # The README's restore procedure: download, verify, etcdutl restore, start a member on it.
    restore = tmp_path / "restore"
    restore.mkdir()
    for key in keys:
        aws(["s3", "cp", f"s3://{s3.bucket}/{key}", str(restore / key.rsplit("/", 1)[-1])], s3.env("etcd"))
    subprocess.run(["sha256sum", "-c", "etcd-snapshot.db.sha256"], cwd=restore, check=True, capture_output=True)
    subprocess.run([TOOLS / "etcdutl", "snapshot", "restore", restore / "etcd-snapshot.db",
                    "--data-dir", restore / "data"], check=True, capture_output=True)
    process, url = start_etcd(restore / "data", None, restore / "etcd.log")
    try:
        value = subprocess.run([TOOLS / "etcdctl", "--endpoints", url, "get", "--print-value-only",
                                "/registry/acme/marker"], capture_output=True, text=True, check=True).stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert value.strip() == "before-the-snapshot"
