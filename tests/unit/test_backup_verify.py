"""`harness backup verify` judges the drill Job by its status and its log: only a completed Job whose
log holds the drill's PASS line passes; the drill's own lines are reported as they are."""

from __future__ import annotations

import pytest

from harness.deploy.backup.jobs import job_from_cronjob
from harness.deploy.backup.verify import judge, termination_message

CRONJOB = {"apiVersion": "batch/v1", "kind": "CronJob",
           "metadata": {"name": "acme-restore-drill", "namespace": "acme", "uid": "u-1"},
           "spec": {"schedule": "47 4 * * *", "jobTemplate": {
               "metadata": {"labels": {"app.kubernetes.io/component": "restore-drill"}},
               "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
                   {"name": "drill", "image": "acme.local/backup:15-local"}]}}}}}}
PASS_LOG = "drill: PASS 20261202T021700Z: 2 tables, 24990 rows restored into acme_restore_drill match the backup\n"
FAIL_LOG = ("drill: table public.orders: 19990 rows at backup, 11200 restored\n"
            "drill: FAIL 20261202T021700Z: 1 of 2 tables differ from the backup\n")


def job(condition: str | None, message: str = "") -> dict:
    status = {"conditions": [{"type": condition, "status": "True", "message": message}]} if condition else {}
    return {"metadata": {"name": "acme-restore-drill-verify-1"}, "status": status}


def test_the_job_is_the_cronjobs_template_owned_by_it():
    made = job_from_cronjob(CRONJOB, "acme-restore-drill-verify-1")
    assert made["spec"] == CRONJOB["spec"]["jobTemplate"]["spec"]
    assert made["spec"] is not CRONJOB["spec"]["jobTemplate"]["spec"]
    assert made["metadata"]["labels"] == {"app.kubernetes.io/component": "restore-drill"}
    assert made["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert made["metadata"]["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "CronJob", "controller": True,
                                                    "name": "acme-restore-drill", "uid": "u-1"}]


def test_a_completed_drill_with_its_pass_line_passes():
    verdict = judge(job("Complete"), "some aws noise\n" + PASS_LOG)
    assert verdict.passed and verdict.finished
    assert verdict.lines == [PASS_LOG.strip()]
    assert verdict.report()[-1] == "backup verify: PASS"


def test_a_failed_drill_reports_the_tables_it_named():
    verdict = judge(job("Failed", "Job has reached the specified backoff limit"), FAIL_LOG)
    assert not verdict.passed
    assert verdict.report() == ["backup verify: Job acme-restore-drill-verify-1", *FAIL_LOG.splitlines(),
                                "backup verify: FAIL"]


@pytest.mark.parametrize("log, reason", [
    (None, "the Job completed but no log could be read (did the container run?)"),
    ("", "the Job completed but its log holds no drill result (did the container run?)"),
    ("drill: table public.orders: checksum differs (19990 rows both)\n",
     "the Job completed but its log holds no drill result (did the container run?)"),
], ids=["no-log", "empty-log", "no-pass-line"])
def test_a_completed_job_without_the_pass_line_fails(log, reason):
    verdict = judge(job("Complete"), log)
    assert not verdict.passed
    assert verdict.reason == reason


def test_a_failed_job_without_drill_lines_says_why_it_failed():
    verdict = judge(job("Failed", "Job was active longer than specified deadline"), None)
    assert verdict.reason == "the Job failed: Job was active longer than specified deadline"


def test_an_unfinished_job_fails():
    verdict = judge(job(None), None)
    assert not verdict.finished and not verdict.passed
    assert verdict.reason == "the Job did not finish"


def pod(*statuses: dict) -> dict:
    return {"status": {"containerStatuses": list(statuses)}}


def test_the_termination_message_of_the_drill_container_stands_in_for_its_log():
    terminated = {"name": "drill", "state": {"terminated": {"exitCode": 0, "message": PASS_LOG}}}
    assert termination_message(pod({"name": "sidecar", "state": {"terminated": {"message": "other"}}},
                                   terminated)) == PASS_LOG
    assert judge(job("Complete"), termination_message(pod(terminated))).passed


@pytest.mark.parametrize("statuses", [
    (),
    ({"name": "drill", "state": {"running": {"startedAt": "2026-12-03T10:00:00Z"}}},),
    ({"name": "drill", "state": {"terminated": {"exitCode": 0}}},),
    ({"name": "upload", "state": {"terminated": {"exitCode": 0, "message": PASS_LOG}}},),
], ids=["no-status", "still-running", "no-message", "another-container"])
def test_without_a_drill_termination_message_there_is_nothing_to_judge(statuses):
    assert termination_message(pod(*statuses)) is None
    assert judge(job("Complete"), termination_message(pod(*statuses))).reason == \
        "the Job completed but no log could be read (did the container run?)"
