"""The etcd drill on the local cluster: snapshot the control plane, delete the acme namespace, restore,
and find every release record and every released object back with its own UID; smoke passes again."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from harness.deploy.cluster import etcd_drill
from harness.deploy.smoke import runner
from harness.live import snapshot

pytestmark = pytest.mark.e2e


def test_namespace_comes_back_from_an_etcd_snapshot(cluster, api, deployed, tmp_path, record_property):
    result = etcd_drill.run_drill(cluster, api, deployed.namespace, tmp_path)
    print("\n" + "\n".join(result.lines()))

    assert result.before.missing == []
    assert len(result.before.releases) >= 3  # at least one record per release
    # The deletion really removed the namespace's objects and the release records.
    inside = [key for key in result.before.objects if key[1] == deployed.namespace]
    assert inside and all(key in result.emptied.missing for key in inside)
    assert result.emptied.releases == {}
    # Restored, not re-created: the same objects with the same UIDs, the same revisions.
    assert result.after == result.before
    assert result.saved.snapshot.keys > 0 and result.restored.snapshot == result.saved.snapshot
    # The restored cluster works, not only its data: a deleted pod is replaced and made Ready.
    core = client.CoreV1Api(api)
    pods = core.list_namespaced_pod(deployed.namespace, label_selector="app.kubernetes.io/component=ui").items
    core.delete_namespaced_pod(pods[0].metadata.name, deployed.namespace)
    assert _replaced_and_ready(core, deployed.namespace, pods[0].metadata.name, len(pods), 60), \
        "no Ready replacement pod after the restore"
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, deployed.namespace), deployed, 120)
    assert not runner.failed(outcomes), "smoke fails after the restore"
    for name, value in (("snapshot_seconds", result.saved.seconds), ("restore_seconds", result.restored.ready_seconds),
                        ("drill_seconds", result.total_seconds), ("snapshot_bytes", result.saved.snapshot.size)):
        record_property(name, round(value, 2))


def _replaced_and_ready(core: client.CoreV1Api, namespace: str, gone: str, count: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pods = core.list_namespaced_pod(namespace, label_selector="app.kubernetes.io/component=ui").items
        names = {p.metadata.name for p in pods}
        fresh = [p for p in pods if p.metadata.name != gone and p.metadata.deletion_timestamp is None
                 and any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or [])]
        if gone not in names and len(fresh) == count:
            return True
        time.sleep(0.5)
    return False
