"""The backup checks pass on what staging and production render and fail on manifests broken on purpose."""

from __future__ import annotations

import copy

import pytest

from harness.checks.render.backup import cron_error
from rendered import find, findings, render, scenario

JOB = "CronJob/acme/acme-db-backup"


@pytest.fixture(scope="module")
def staging() -> list[dict]:
    return render("acme-platform", "staging")


@pytest.mark.parametrize("environment", ["staging", "production"], ids=["staging", "production"])
@pytest.mark.parametrize("check_id", ["backup.cron", "backup.concurrency-forbid"], ids=["cron", "concurrency"])
def test_check_passes_on_rendered_environment(check_id, environment):
    assert findings(check_id, scenario(render("acme-platform", environment))) == set()


def test_staging_renders_the_backup_cronjob_and_schedule(staging):
    kinds = {(d["kind"], d["metadata"]["name"]) for d in staging}
    assert {("CronJob", "acme-db-backup"), ("Schedule", "acme-daily"), ("ConfigMap", "acme-backup-scripts")} <= kinds


def _broken(staging: list[dict], kind: str, name: str, **spec) -> list[dict]:
    documents = copy.deepcopy(staging)
    target = find(documents, kind, name)["spec"]
    for key, value in spec.items():
        if value is None:
            target.pop(key)
        else:
            target[key] = value
    return documents


@pytest.mark.parametrize("schedule", ["61 2 * * *", "17 2 * *", "TZ=Europe/Paris 17 2 * * *"],
                         ids=["minute-61", "four-fields", "tz-prefix"])
def test_cronjob_with_a_bad_schedule_is_reported(staging, schedule):
    docs = _broken(staging, "CronJob", "acme-db-backup", schedule=schedule)
    assert findings("backup.cron", scenario(docs)) == {(JOB, "spec.schedule")}


def test_velero_schedule_with_a_bad_cron_is_reported(staging):
    docs = _broken(staging, "Schedule", "acme-daily", schedule="0 3 * * funday")
    assert findings("backup.cron", scenario(docs)) == {("Schedule/velero/acme-daily", "spec.schedule")}


@pytest.mark.parametrize("policy", ["Allow", "Replace", None], ids=["allow", "replace", "unset"])
def test_backup_cronjob_that_may_overlap_is_reported(staging, policy):
    docs = _broken(staging, "CronJob", "acme-db-backup", concurrencyPolicy=policy)
    assert findings("backup.concurrency-forbid", scenario(docs)) == {(JOB, "spec.concurrencyPolicy")}


VALID = ["17 2 * * *", "*/15 * * * *", "0 3 * * sun", "0 0 1-15/2 jan-jun mon-fri", "0 0 * * 7", "@daily",
         "@every 6h", "0,30 8-18 * * 1-5", "0 0 ? * *"]
INVALID = ["0 24 * * *", "0 0 0 * *", "5-1 * * * *", "*/0 * * * *", "0 0 * * mon-xyz", "@fortnightly", "",
           "0 0 * 13 *"]


@pytest.mark.parametrize("expression", VALID, ids=VALID)
def test_cron_parser_accepts(expression):
    assert cron_error(expression) is None


@pytest.mark.parametrize("expression", INVALID, ids=[e or "empty" for e in INVALID])
def test_cron_parser_rejects(expression):
    assert cron_error(expression)
