"""Upgrade from the last release, with data, on the real node: the previous release (the newest
commit of the history with other chart versions, harness/publish/previous.py) deployed by its own
helmfile and values, rows written through the edge, then the working tree's charts and values
applied by the same helmfile apply as every deploy while a stream runs through the edge (rolling
every pod under traffic is test_zero_downtime.py's job; here the data is). Every row is still
there with the same content, no request of the stream failed, the database kept its claim on the
same volume, the generated password and the Services survived, and a backup taken afterwards
checks out. The control replaces the database's volume, as a re-created claim does, and is named
by the rows it lost."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy import drills, kept
from harness.deploy.backup import store as backup_store
from harness.deploy.backup.run import backup_run
from harness.deploy.traffic import UrlSummary
from harness.deploy.cluster import certs
from harness.deploy.release.deploy import helmfile_apply
from harness.deploy.target import target_for
from harness.live.releases import revisions
from harness.publish.previous import Release, previous_release, working_versions

from edge_items import list_items, post_items
from streams import assert_nothing_failed

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
RELEASES = ("acme-api", "acme-platform", "acme-ui")
ROWS = 50
RATE = 20  # requests per second over both public hosts, as the zero-downtime drills


@dataclass(frozen=True)
class Upgrade:
    before: kept.State
    after: kept.State
    summaries: list[UrlSummary]  # the stream's, per URL
    seconds: float  # how long the stream ran
    charts: tuple[dict[str, str], dict[str, str]]  # release -> chart version deployed, before and after


def _ready(api: client.ApiClient, timeout: float = 120) -> None:
    apps = client.AppsV1Api(api)
    deadline = time.monotonic() + timeout
    while True:
        db = apps.read_namespaced_stateful_set("acme-db", NAMESPACE)
        if (db.status.ready_replicas or 0) == db.spec.replicas and all(
                drills.settled(api, NAMESPACE, name) for name in ("acme-api", "acme-ui")):
            return
        assert time.monotonic() < deadline, f"acme-db, acme-api and acme-ui not settled after {timeout:.0f} s"
        time.sleep(0.5)


def _deployed_charts(api: client.ApiClient) -> dict[str, str]:
    """Release -> the chart version of its deployed revision, from helm's release Secrets."""
    listed = client.CoreV1Api(api).list_namespaced_secret(NAMESPACE, label_selector="owner=helm",
                                                          _preload_content=False)
    return {name: next(r for r in revs if r.status == "deployed").chart_version()
            for name, revs in revisions(json.loads(listed.data)["items"]).items()}

@pytest.fixture(scope="module")
def previous(cluster, api: client.ApiClient, real_node) -> Release:
    """The previous release deployed onto the node: a fresh install on a new cluster, an upgrade
    back to it over whatever the session deployed before (the database's claim stays either way)."""
    project = Project.discover()
    release = previous_release(project)
    started = time.monotonic()
    helmfile_apply(project, target_for("local"), cluster.context, tree=release.root)
    certs.ensure_tls_secrets(api, NAMESPACE, certs.load_or_create_ca(cluster.tls_ca_dir))
    _ready(api)
    print(f"previous release {release.commit[:12]} deployed in {time.monotonic() - started:.1f} s:",
          *release.changes(working_versions(project)), sep="\n  ")
    return release


@pytest.fixture(scope="module")
def upgraded(cluster, api: client.ApiClient, real_node, previous: Release, tmp_path_factory) -> Upgrade:
    """Rows written under the previous release, then the working tree applied while the stream runs."""
    project = Project.discover()
    charts = _deployed_charts(api)
    post_items(cluster, api, ROWS)
    before = kept.read(api, NAMESPACE, list_items(cluster, api))
    database = client.CoreV1Api(api).read_namespaced_pod("acme-db-0", NAMESPACE).metadata.uid
    started = time.monotonic()
    with drills.stream(real_node, RATE, tmp_path_factory.mktemp("upgrade")) as traffic:
        time.sleep(1)  # the stream runs before the upgrade begins
        helmfile_apply(project, target_for("local"), cluster.context)
        _ready(api)
        time.sleep(drills.SETTLE_SECONDS)
    seconds = time.monotonic() - started
    replaced = client.CoreV1Api(api).read_namespaced_pod("acme-db-0", NAMESPACE).metadata.uid != database
    print(f"database pod {'replaced' if replaced else 'kept'}")
    after = kept.read(api, NAMESPACE, list_items(cluster, api))
    summaries = traffic.summary()
    print(f"upgrade under traffic: {seconds:.1f} s", *(s.line() for s in summaries), sep="\n  ")
    return Upgrade(before, after, summaries, seconds, (charts, _deployed_charts(api)))


def test_the_previous_release_ran_before_the_upgrade_and_the_working_tree_after(previous: Release,
                                                                                   upgraded: Upgrade) -> None:
    project = Project.discover()
    assert previous.changes(working_versions(project)), "the previous release has the working tree's versions"
    working = working_versions(project)
    assert upgraded.charts == ({name: previous.versions[f"charts/{name}"] for name in RELEASES},
                               {name: working[f"charts/{name}"] for name in RELEASES})


def test_every_row_written_before_survives_the_upgrade(upgraded: Upgrade) -> None:
    before, after = upgraded.before, upgraded.after
    assert len(before.rows.by_id) >= ROWS
    assert kept.lost(before, after) == []
    assert after.rows.digest() == before.rows.digest()
    assert len(after.rows.by_id) == len(before.rows.by_id)


def test_no_request_failed_during_the_upgrade(upgraded: Upgrade) -> None:
    assert_nothing_failed(upgraded.summaries, RATE, upgraded.seconds)


def test_a_backup_after_the_upgrade_checks_out(upgraded: Upgrade, api: client.ApiClient) -> None:
    after = upgraded.after
    project = Project.discover()
    print(backup_store.prepare_local(api, NAMESPACE, project))
    outcome = backup_run(api, NAMESPACE, backup_store.local_url(project), timeout=180, poll=0.5)
    try:
        assert outcome.passed, "\n".join(outcome.report())
        assert f"table public.items: {len(after.rows.by_id)} rows at backup" in "\n".join(outcome.lines)
    finally:
        client.BatchV1Api(api).delete_namespaced_job(outcome.job, NAMESPACE, propagation_policy="Foreground")


def test_a_replaced_database_volume_is_named_by_the_rows_it_lost(cluster, api: client.ApiClient,
                                                                  upgraded: Upgrade) -> None:
    after = upgraded.after
    core = client.CoreV1Api(api)
    # What a re-created claim does: the pod comes back on a new, empty volume.
    core.delete_namespaced_persistent_volume_claim(kept.DATABASE_CLAIM, NAMESPACE, propagation_policy="Background")
    core.delete_namespaced_pod("acme-db-0", NAMESPACE)
    deadline = time.monotonic() + 120
    while True:
        claim = next((c for c in core.list_namespaced_persistent_volume_claim(NAMESPACE).items
                      if c.metadata.name == kept.DATABASE_CLAIM and c.metadata.uid != after.claim_uid), None)
        db = client.AppsV1Api(api).read_namespaced_stateful_set("acme-db", NAMESPACE)
        if claim is not None and claim.status.phase == "Bound" and (db.status.ready_replicas or 0) == 1:
            break
        assert time.monotonic() < deadline, "acme-db not back on a new claim after 120 s"
        time.sleep(0.5)
    print(f"database back on a new claim after {120 - (deadline - time.monotonic()):.1f} s")
    # The API creates its table once per process: new pods find the empty database.
    core.delete_collection_namespaced_pod(NAMESPACE, label_selector="app.kubernetes.io/name=acme-api")
    _ready(api)
    replaced = kept.read(api, NAMESPACE, list_items(cluster, api))
    problems = kept.lost(after, replaced)
    print(*problems, sep="\n")
    count = len(after.rows.by_id)
    assert problems[0].startswith(f"{count} of {count} rows written before the upgrade are gone (ids "), problems
    assert problems[1].startswith(f"PersistentVolumeClaim {kept.DATABASE_CLAIM} is not the one before the upgrade"), \
        problems
    assert len(problems) == 2, problems
