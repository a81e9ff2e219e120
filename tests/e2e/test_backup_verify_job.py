"""`harness backup verify` on the local cluster: the Job is made from the drill CronJob, waited for and
judged. kwok completes a Job's pods without running a container, so this Job completes with no log:
the verdict must be a failure that says so, never a pass. (The drill passing and failing for real
needs containers: tests/backup runs its script against a real PostgreSQL, S3 and Pushgateway.)"""

from __future__ import annotations

import pytest
from kubernetes import client

from harness.core.errors import HarnessError
from harness.deploy.backup.verify import CRONJOB, verify

pytestmark = pytest.mark.e2e

NAMESPACE = "acme-verify-e2e"


@pytest.fixture
def drill_cronjob(api):
    core, batch = client.CoreV1Api(api), client.BatchV1Api(api)
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    pod = {"metadata": {"labels": {"app.kubernetes.io/component": "restore-drill"}},
           "spec": {"restartPolicy": "Never", "containers": [
               {"name": "drill", "image": "acme.local/backup:15-local", "command": ["python3", "/scripts/drill.py"]}]}}
    batch.create_namespaced_cron_job(NAMESPACE, {
        "metadata": {"name": CRONJOB},
        "spec": {"schedule": "47 4 * * *", "suspend": True, "concurrencyPolicy": "Forbid",
                 "jobTemplate": {"spec": {"backoffLimit": 0, "template": pod}}}})
    yield
    core.delete_namespace(NAMESPACE)


def test_a_job_that_completes_without_the_drills_word_fails(api, drill_cronjob):
    lines = []
    verdict = verify(api, NAMESPACE, timeout=120, poll=0.5, log=lines.append)
    assert lines == [f"backup verify: started Job {NAMESPACE}/{verdict.job}"]
    assert verdict.finished and not verdict.passed
    assert verdict.reason == "the Job completed but no log could be read (did the container run?)"
    job = client.BatchV1Api(api).read_namespaced_job(verdict.job, NAMESPACE)
    assert job.metadata.owner_references[0].name == CRONJOB
    assert job.metadata.annotations["cronjob.kubernetes.io/instantiate"] == "manual"


def test_a_namespace_without_the_drill_is_bad_input(api):
    with pytest.raises(HarnessError, match=f"no CronJob default/{CRONJOB}: enable backup.restoreDrill"):
        verify(api, "default", timeout=5)
