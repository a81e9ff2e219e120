"""The last leg of the OCI round trip: install a chart from its oci:// reference on the local
cluster (in its own namespace, so the deployed environment is untouched) and remove it again."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness.deploy.cluster.settings import ClusterSettings
from harness.publish.versioning import chart_version

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
# Unique per run: a namespace deleted by the previous run may still be terminating.
NAMESPACE = f"acme-oci-e2e-{os.getpid()}"


def test_install_from_the_oci_reference(oci_registry: str, cluster: ClusterSettings, tmp_path: Path) -> None:
    pushed = subprocess.run([str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "harness", "package", "--chart",
                             "acme-ui", "--out", str(tmp_path), "--push", f"oci://{oci_registry}/acme", "--plain-http"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert pushed.returncode == 0, pushed.stderr
    version = chart_version(REPO_ROOT / "charts" / "acme-ui")
    helm = [str(cluster.binary("helm")), "--kube-context", cluster.context, "--namespace", NAMESPACE]
    try:
        done = subprocess.run([*helm, "install", "acme-ui", f"oci://{oci_registry}/acme/acme-ui", "--version", version,
                               "--plain-http", "--create-namespace", "--wait", "--timeout", "180s"],
                              env=cluster.env(), capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr
        listed = subprocess.run([*helm, "list", "-o", "json"], env=cluster.env(), capture_output=True, text=True,
                                timeout=60)
        [release] = json.loads(listed.stdout)
        assert (release["status"], release["chart"]) == ("deployed", f"acme-ui-{version}")
    finally:
        subprocess.run([*helm, "uninstall", "acme-ui", "--wait", "--ignore-not-found"], env=cluster.env(),
                       capture_output=True, timeout=180)
        subprocess.run([str(cluster.binary("kubectl")), "--context", cluster.context, "delete", "namespace", NAMESPACE,
                        "--ignore-not-found", "--wait=false"], env=cluster.env(), capture_output=True, timeout=60)
