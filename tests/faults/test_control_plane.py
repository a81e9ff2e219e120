"""Control-plane faults on the local cluster: the API server killed under a running smoke
check, and etcd killed and restarted. Each test brings the process back (and, as a kubelet
would, any controller that exited on losing its leader lease), then proves the cluster works
again (a new Deployment becomes available), the environment passes smoke, and nothing is
lost (same release revisions, same database password)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from kubernetes import client

from harness.deploy.cluster.client import reachable
from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.live.releases import revisions

from control_plane import pods_become_ready

pytestmark = pytest.mark.e2e

# Smoke retries every 2 s and a refused connection fails at once: 20 s leaves room for a slow CI.
SMOKE_ERROR_BOUND = 20
RECOVERY_SECONDS = 90


def _state(api, namespace):
    """What must survive a fault: each release's newest revision and the database password."""
    shot = snapshot.load(api, namespace)
    secret = client.CoreV1Api(api).read_namespaced_secret("acme-db-credentials", namespace)
    return {name: revs[0].version for name, revs in revisions(shot.release_secrets).items()}, secret.data["password"]


def _wait(condition, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"{what} not within {seconds:.0f} s"
        time.sleep(0.5)
    return time.monotonic() - started


def _api_answers(api) -> bool:
    """The API server answers and reaches etcd (/version alone needs no storage)."""
    try:
        client.CoreV1Api(api).list_namespace(limit=1, _request_timeout=3)
    except Exception:  # refused, timeout, 5xx while etcd is away: all mean "not yet"
        return False
    return True


def _assert_recovered(api, deployed, control_plane):
    revived = control_plane.revive()
    seconds = pods_become_ready(api, lambda: revived.extend(control_plane.revive()))
    print(f"revived {revived or 'nothing'}; a new Deployment available after {seconds:.1f} s")
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, deployed.namespace), deployed, RECOVERY_SECONDS)
    assert not runner.failed(outcomes), [(o.check.id, o.findings) for o in outcomes if o.findings]


def test_api_server_killed_mid_smoke_is_a_clear_bounded_error(api, deployed, control_plane, harness_env):
    before = _state(api, deployed.namespace)
    killed = False
    # An impossible expected revision keeps smoke re-reading the cluster for 120 s: it is
    # mid-run, between list calls, when the API server dies.
    smoke = subprocess.Popen([sys.executable, "-m", "harness", "smoke", "--env", "local", "--wait", "120",
                              "--expect-revision", "acme-ui=999"], env=harness_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
        assert smoke.poll() is None, "smoke ended before the fault was injected"
        control_plane.kill("kube-apiserver")
        killed, killed_at = True, time.monotonic()
        out, err = smoke.communicate(timeout=SMOKE_ERROR_BOUND)
        seconds = time.monotonic() - killed_at
    finally:
        smoke.kill()  # only still running when it missed the bound
        smoke.communicate()
        if killed:
            control_plane.relaunch("kube-apiserver")
    assert smoke.returncode == 2  # the environment failed, not a check
    assert "Traceback" not in out + err
    assert "API server unreachable" in err, err
    assert seconds < SMOKE_ERROR_BOUND

    _wait(lambda: reachable(api), RECOVERY_SECONDS, "API server back")
    _assert_recovered(api, deployed, control_plane)
    assert _state(api, deployed.namespace) == before


def test_etcd_restart_recovers_and_smoke_passes(api, deployed, control_plane):
    before = _state(api, deployed.namespace)
    control_plane.kill("etcd")  # a crash, not a clean shutdown: the WAL must carry everything
    try:
        _wait(lambda: not _api_answers(api), 30, "API server noticing etcd is gone")
    finally:
        control_plane.relaunch("etcd")
    recovered = _wait(lambda: _api_answers(api), RECOVERY_SECONDS, "API server serving again from etcd")
    _assert_recovered(api, deployed, control_plane)
    assert _state(api, deployed.namespace) == before, "a release revision or the database password changed"
    print(f"etcd restart: API serving again {recovered:.1f} s after relaunch")
