"""Backups in pods on the real node, against the chart's own database and the cluster's object store:
`harness backup run` dumps now and the harness downloads and checks the dump; `harness backup verify`
restores it into a scratch database and passes; a corrupted newest dump (its checksum resealed, so
only the restore can tell) makes verify fail naming the table."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy.backup.run import backup_run, newest_folder
from harness.deploy.backup.store import DUMP_CRONJOB, ObjectStore, credentials, destination, local_url
from harness.deploy.backup.verify import verify

from edge_items import post_items

NAMESPACE = "acme"

pytestmark = pytest.mark.e2e

ROWS = 100  # 60 ms each through the edge; a few KiB of table data in the archive


@pytest.fixture(scope="module", autouse=True)
def no_jobs_left(api: client.ApiClient):
    """The Jobs these tests start are deleted with their pods afterwards: the later node tests read
    the namespace's pods by name prefix (acme-db-…) and must find only the workloads'."""
    yield
    batch = client.BatchV1Api(api)
    mine = [job.metadata.name for job in batch.list_namespaced_job(NAMESPACE).items
            if job.metadata.name.startswith(("acme-db-backup-run-", "acme-restore-drill-verify-"))]
    for name in mine:
        batch.delete_namespaced_job(name, NAMESPACE, propagation_policy="Foreground")
    deadline = time.monotonic() + 60
    while {job.metadata.name for job in batch.list_namespaced_job(NAMESPACE).items} & set(mine):
        assert time.monotonic() < deadline, f"Jobs {mine} not gone after 60 s"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def store(api: client.ApiClient, workloads) -> tuple[ObjectStore, str, str]:
    """(the node's object store, bucket, prefix) as the dump CronJob names them."""
    source = client.BatchV1Api(api).read_namespaced_cron_job(DUMP_CRONJOB, NAMESPACE, _preload_content=False)
    where = destination(json.loads(source.data))
    pair = credentials(api, NAMESPACE, where)
    url = local_url(Project.discover())
    assert pair is not None and url is not None
    return ObjectStore(url, pair), where.bucket, where.prefix


@pytest.fixture(scope="module")
def dumped(cluster, api: client.ApiClient, store):
    post_items(cluster, api, ROWS)
    started = time.monotonic()
    outcome = backup_run(api, NAMESPACE, store[0].base_url, timeout=180, poll=0.5)
    print(f"backup run: {time.monotonic() - started:.1f} s", *outcome.report(), sep="\n")
    return outcome


def test_backup_run_dumps_in_a_pod_and_the_download_checks_out(dumped) -> None:
    assert dumped.passed, "\n".join(dumped.report())
    table = next(line for line in dumped.lines if "table public.items:" in line)
    assert int(table.split("table public.items: ")[1].split()[0]) >= ROWS
    assert not any("problem" in line for line in dumped.lines)


def test_verify_restores_the_newest_dump_and_passes(dumped, api: client.ApiClient) -> None:
    started = time.monotonic()
    verdict = verify(api, NAMESPACE, timeout=180, poll=0.5)
    print(f"backup verify: {time.monotonic() - started:.1f} s", *verdict.report(), sep="\n")
    assert verdict.passed, "\n".join(verdict.report())
    assert verdict.lines[-1].startswith("drill: PASS") and "1 tables" in verdict.lines[-1]


def test_verify_fails_naming_the_table_when_the_newest_dump_is_corrupted(dumped, api: client.ApiClient,
                                                                          store) -> None:
    objects, bucket, prefix = store
    folder = newest_folder(objects.keys(bucket, f"{prefix}/"), prefix)
    key = next(k for k in objects.keys(bucket, f"{prefix}/{folder}/") if k.endswith(".dump"))
    original = objects.get(bucket, key)
    damaged = bytearray(original)
    # The only table's data is the archive's last block: zeroes inside its compressed stream
    at = len(damaged) - 96
    damaged[at:at + 64] = bytes(64)
    # resealed: damage from before the checksum was taken, which only a restore can find
    objects.put(bucket, key, bytes(damaged))
    seal = f"{hashlib.sha256(damaged).hexdigest()}  {key.rsplit('/', 1)[-1]}\n".encode()
    original_seal = objects.get(bucket, f"{key}.sha256")
    objects.put(bucket, f"{key}.sha256", seal)
    try:
        started = time.monotonic()
        verdict = verify(api, NAMESPACE, timeout=180, poll=0.5)
        print(f"backup verify (corrupted): {time.monotonic() - started:.1f} s", *verdict.report(), sep="\n")
    finally:
        objects.put(bucket, key, original)
        objects.put(bucket, f"{key}.sha256", original_seal)
    assert verdict.finished and not verdict.passed
    assert any(line.startswith("drill: table public.items: ") for line in verdict.lines), verdict.lines
    assert verdict.lines[-1].startswith("drill: FAIL") and "1 of 1 tables differ" in verdict.lines[-1]
