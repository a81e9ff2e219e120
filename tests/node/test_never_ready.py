"""A release whose new pods never become ready, under traffic on the real node: helm's own guard
(`--rollback-on-failure`, what helmfile's `atomic` passes) rolls it back at its deadline, and while
the new ReplicaSet's pods sit unstartable beside the old ones no request through the edge fails.
The bad change is a configuration mistake a values file can carry: the API's database URL read
from a key its Secret does not have, so kubelet cannot start the container."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from kubernetes import client

from harness.deploy import drills
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node.settings import NodeSettings
from harness.live import snapshot
from harness.live.releases import revisions

from streams import assert_nothing_failed

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
RELEASE = "acme-api"
RATE = 20  # requests per second, spread over both public hosts
DEADLINE = 30  # seconds helm waits for the new pods before it rolls back
ROLLBACK_SLACK = 90  # the rollback waits for the old pods again (readiness, minReadySeconds)


def _newest(api: client.ApiClient):
    return revisions(snapshot.load(api, NAMESPACE).release_secrets)[RELEASE][0]


def _secret_key(api: client.ApiClient) -> str:
    template = client.AppsV1Api(api).read_namespaced_deployment(RELEASE, NAMESPACE).spec.template
    [url] = [e for c in template.spec.containers for e in c.env or [] if e.name == "POSTGRES_URL"]
    return url.value_from.secret_key_ref.key


def test_a_never_ready_release_is_rolled_back_without_a_failed_request(api, cluster: ClusterSettings,
                                                                        workloads: NodeSettings,
                                                                        tmp_path: Path) -> None:
    good, key = _newest(api), _secret_key(api)
    helm = [str(cluster.binary("helm")), "upgrade", RELEASE, str(cluster.project.charts_dir / RELEASE),
            "--namespace", NAMESPACE, "--kube-context", cluster.context, "--reuse-values",
            "--set", "database.existingSecretKey=no-such-key",
            "--rollback-on-failure", "--wait", "--timeout", f"{DEADLINE}s"]
    upgrade: dict[str, object] = {}

    def upgrade_and_roll_back(api: client.ApiClient, namespace: str, workload: str) -> None:
        started = time.monotonic()
        upgrade["done"] = subprocess.run(helm, env=cluster.env(), capture_output=True, text=True,
                                         timeout=DEADLINE + 300)
        upgrade["seconds"] = time.monotonic() - started

    summaries, seconds = drills.under_traffic(api, workloads, NAMESPACE, RELEASE, upgrade_and_roll_back,
                                              RATE, tmp_path)
    done, upgrade_seconds = upgrade["done"], upgrade["seconds"]
    lines = "\n".join(s.line() for s in summaries)
    print(f"\nupgrade and rollback {upgrade_seconds:.1f} s; stream {seconds:.1f} s\n{lines}")

    assert done.returncode != 0, "an upgrade whose pods never start was reported as a success"
    assert "rollback" in (done.stderr + done.stdout).lower(), done.stderr
    assert DEADLINE <= upgrade_seconds <= DEADLINE + ROLLBACK_SLACK, f"rolled back after {upgrade_seconds:.0f} s"
    newest = _newest(api)
    assert (newest.status, newest.version) == ("deployed", good.version + 2)  # the failed upgrade, then the rollback
    assert _secret_key(api) == key
    assert_nothing_failed(summaries, RATE, seconds)
