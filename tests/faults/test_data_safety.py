"""Data safety on the local cluster: the database volume outlives an uninstall of the platform
and is bound again by the reinstall; the generated password never changes across upgrades,
uninstall or reinstall; the password shows up in no deploy output, report or component log."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.deploy.release.deploy import tool_env
from harness.deploy.target import target_for
from harness.tools import helmfile

pytestmark = pytest.mark.e2e

PLATFORM = "acme-platform"
SECRET = "acme-db-credentials"
PVC = "data-acme-db-0"


def _password(api, namespace) -> str:
    data = client.CoreV1Api(api).read_namespaced_secret(SECRET, namespace).data
    return base64.b64decode(data["password"]).decode()


def _claim(api, namespace):
    pvc = client.CoreV1Api(api).read_namespaced_persistent_volume_claim(PVC, namespace)
    return pvc.metadata.uid, pvc.spec.volume_name, pvc.status.phase


def _helm(cluster, *args: str) -> str:
    cmd = [str(cluster.binary("helm")), *args, "--namespace", "acme", "--kube-context", cluster.context]
    done = subprocess.run(cmd, env=cluster.env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"helm {args[0]} failed: {done.stderr}"
    return done.stdout + done.stderr


def _helmfile_apply(cluster) -> str:
    """The deploy path (`helmfile -e local apply`), with its whole output kept for inspection."""
    project = Project.discover()
    cmd = helmfile.apply_command(project.tool("helmfile"), "local", cluster.context)
    done = subprocess.run(cmd, cwd=project.root, env=tool_env(project, target_for("local")), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr


def _smoke_report(cluster, env) -> str:
    done = subprocess.run([sys.executable, "-m", "harness", "smoke", "--env", "local", "--format", "json", "--wait", "60"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    return done.stdout + done.stderr


def test_password_survives_upgrades_and_never_leaks(api, cluster, deployed, harness_env):
    ns = deployed.namespace
    password = _password(api, ns)
    chart = str(cluster.project.charts_dir / PLATFORM)
    outputs = [_helm(cluster, "upgrade", PLATFORM, chart, "--reuse-values",
                     "--set", "metrics-collector.persistence.interval=30s", "--wait", "--timeout", "120s")]
    assert _password(api, ns) == password, "helm upgrade generated a new database password"
    outputs.append(_helmfile_apply(cluster))  # back to the environment's values, through helm-diff
    assert _password(api, ns) == password, "helmfile apply generated a new database password"
    outputs.append(_smoke_report(cluster, harness_env))
    logs = cluster.workdir / "clusters" / cluster.name / "logs"
    outputs += [path.read_text(errors="replace") for path in logs.glob("*.log")]
    leaked = [i for i, text in enumerate(outputs) if password in text]
    assert not leaked, f"the database password appears in outputs {leaked} (upgrade, apply, smoke, component logs)"


def test_database_volume_survives_uninstall_and_is_bound_again(api, cluster, deployed):
    ns = deployed.namespace
    password = _password(api, ns)
    uid, volume, phase = _claim(api, ns)
    assert phase == "Bound"

    _helm(cluster, "uninstall", PLATFORM, "--wait", "--timeout", "120s")
    assert _claim(api, ns) == (uid, volume, "Bound"), "the database PVC did not survive the uninstall"
    assert _password(api, ns) == password, "the credentials Secret (kept on uninstall) changed"
    assert not client.AppsV1Api(api).list_namespaced_stateful_set(ns).items, "the database StatefulSet is still there"

    _helmfile_apply(cluster)  # reinstalls the platform; api and ui are unchanged
    assert _claim(api, ns) == (uid, volume, "Bound"), "the reinstall did not bind the same claim and volume"
    pod = client.CoreV1Api(api).read_namespaced_pod("acme-db-0", ns)
    assert any(v.persistent_volume_claim and v.persistent_volume_claim.claim_name == PVC for v in pod.spec.volumes)
    assert _password(api, ns) == password, "the reinstall generated a new password the old data cannot open"
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, ns), deployed, 120)
    assert not runner.failed(outcomes), [(o.check.id, o.findings) for o in outcomes if o.findings]
