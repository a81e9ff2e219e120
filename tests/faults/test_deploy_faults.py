"""Deploy-time faults on the local cluster: bad values in an environment layer, a rollout that
never becomes ready, and a `helmfile apply` killed in the middle of an upgrade. The demo's
smoke-driven rollback is proven in tests/e2e/test_rollouts.py; here it is helm's own guard
(helmfile's `atomic`)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from kubernetes import client

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.deploy.release.deploy import helmfile_apply, tool_env
from harness.deploy.pending import PENDING
from harness.live.releases import revisions
from harness.deploy.target import target_for
from harness.tools import helmfile

pytestmark = pytest.mark.e2e

RELEASE = "acme-ui"
# helmfile deploys with `atomic: true` and a 600 s timeout; the test shortens the deadline only.
DEADLINE = 30
# helm's rollback waits for the old pods again (1-3 s readiness, minReadySeconds) on top.
ROLLBACK_SLACK = 90


def _newest(api, namespace):
    return revisions(snapshot.load(api, namespace).release_secrets)[RELEASE][0]


def _versions(api, namespace) -> dict[str, int]:
    return {name: revs[0].version for name, revs in revisions(snapshot.load(api, namespace).release_secrets).items()}


def _helm(cluster, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    cmd = [str(cluster.binary("helm")), *args, "--namespace", "acme", "--kube-context", cluster.context]
    return subprocess.run(cmd, env=cluster.env(), capture_output=True, text=True, timeout=timeout)


def _image(api, namespace) -> str:
    deployment = client.AppsV1Api(api).read_namespaced_deployment(RELEASE, namespace)
    return deployment.spec.template.spec.containers[0].image


def _assert_smoke_passes(api, settings):
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, settings.namespace), settings, 120)
    assert not runner.failed(outcomes), [(o.check.id, o.findings) for o in outcomes if o.findings]


def _project_with_values(root: Path, tmp_path: Path, edits: dict[str, str]) -> Project:
    """This project with edited values layers: a copy of values/, everything else linked
    (the cluster's .cache included, so the copy deploys to the same cluster)."""
    copy = tmp_path / "project"
    copy.mkdir()
    for entry in root.iterdir():
        if entry.name != "values":
            (copy / entry.name).symlink_to(entry)
    shutil.copytree(root / "values", copy / "values")
    for relative, text in edits.items():
        (copy / relative).write_text(text)
    return Project(copy)


def test_bad_values_are_refused_before_anything_is_applied(api, cluster, deployed, tmp_path):
    before = _versions(api, deployed.namespace)
    project = _project_with_values(cluster.project.root, tmp_path, {
        "values/acme-api/local.yaml": "autoscaling: {enabled: false}\nreplicaCount: -1\n"})
    with pytest.raises(HarnessError, match=r"/replicaCount"):
        helmfile_apply(project, target_for("local"), cluster.context)
    assert _versions(api, deployed.namespace) == before, "a release moved although its values were refused"


def test_stuck_rollout_is_detected_within_its_deadline_and_rolled_back(api, cluster, deployed, tmp_path):
    ns = deployed.namespace
    good = _newest(api, ns)
    image = _image(api, ns)
    bad = tmp_path / "never-ready.yaml"
    bad.write_text('podLabels:\n  kwok.acme.dev/never-ready: "true"\nimage:\n  tag: 0.0.0-never-ready\n')
    chart = str(cluster.project.charts_dir / RELEASE)
    started = time.monotonic()
    done = _helm(cluster, "upgrade", RELEASE, chart, "--reuse-values", "-f", str(bad), "--rollback-on-failure",
                 "--wait", "--timeout", f"{DEADLINE}s")
    seconds = time.monotonic() - started
    assert done.returncode != 0, "an upgrade whose pods never become ready was reported as a success"
    assert "rollback" in (done.stderr + done.stdout).lower(), done.stderr
    assert DEADLINE <= seconds <= DEADLINE + ROLLBACK_SLACK, f"detected and rolled back after {seconds:.0f} s"

    newest = _newest(api, ns)
    assert newest.status == "deployed" and newest.version == good.version + 2  # failed upgrade, then the rollback
    assert _image(api, ns) == image
    _assert_smoke_passes(api, replace(deployed, expected_revisions={RELEASE: newest.version}))


def test_interrupted_helmfile_apply_converges_on_rerun(api, cluster, deployed):
    ns = deployed.namespace
    project, target = Project.discover(), target_for("local")
    desired = _image(api, ns)
    # Drift, so the apply has an upgrade of acme-ui to make (and to be interrupted in).
    drift = _helm(cluster, "upgrade", RELEASE, str(cluster.project.charts_dir / RELEASE), "--reuse-values",
                  "--set", "image.tag=1.0.0-drift")
    assert drift.returncode == 0, drift.stderr
    cmd = helmfile.apply_command(project.tool("helmfile"), "local", cluster.context)
    apply = subprocess.Popen(cmd, cwd=project.root, env=tool_env(project, target), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _newest(api, ns).status not in PENDING:
            assert apply.poll() is None, "helmfile apply finished before it could be interrupted"
            assert time.monotonic() < deadline, "helmfile apply never started upgrading acme-ui"
            time.sleep(0.2)
    finally:
        os.killpg(apply.pid, signal.SIGKILL)  # helmfile and the helm it runs, mid-upgrade
        apply.wait()
    assert _newest(api, ns).status in PENDING, "the interruption did not leave the release pending"

    assert helmfile_apply(project, target, cluster.context).startswith("applied (recovered acme-ui")
    newest = _newest(api, ns)
    assert newest.status == "deployed"
    assert _image(api, ns) == desired
    _assert_smoke_passes(api, deployed)
