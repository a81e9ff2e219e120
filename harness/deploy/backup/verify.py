"""`harness backup verify`: the restore drill now, as a Job made from CronJob acme-restore-drill (what
`kubectl create job --from=cronjob/…` makes), waited for, and judged by its status and its log.

The drill passes only when the Job completed *and* its log holds the drill's PASS line: a Job marked
complete without that line (a pod on a simulated node runs no container) proves nothing. Where the
node serves no logs, the drill's termination message (DRILL_RESULT_FILE, its newest lines) stands in.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ...core.errors import HarnessError

CRONJOB = "acme-restore-drill"
CONTAINER = "drill"
PREFIX = "drill: "  # every line drill.py writes about the comparison
Obj = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    job: str
    finished: bool
    passed: bool
    lines: list[str] = field(default_factory=list)  # the drill's own lines, in order
    reason: str = ""  # why it did not pass, when the log does not say

    def report(self) -> list[str]:
        state = "PASS" if self.passed else "FAIL"
        return [f"backup verify: Job {self.job}", *self.lines,
                f"backup verify: {state}" + (f": {self.reason}" if self.reason else "")]


def job_from_cronjob(cronjob: Obj, name: str) -> Obj:
    """The Job `kubectl create job --from=cronjob/NAME` creates: the CronJob's job template, owned by it."""
    template = cronjob["spec"]["jobTemplate"]
    meta = template.get("metadata") or {}
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": cronjob["metadata"]["namespace"],
                         "labels": dict(meta.get("labels") or {}),
                         "annotations": {**(meta.get("annotations") or {}), "cronjob.kubernetes.io/instantiate": "manual"},
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "controller": True,
                                              "name": cronjob["metadata"]["name"], "uid": cronjob["metadata"]["uid"]}]},
            "spec": copy.deepcopy(template["spec"])}


def finished(job: Obj) -> str | None:
    """`Complete` or `Failed` once the Job controller decided, else None."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition["type"]
    return None


def judge(job: Obj, log: str | None) -> Verdict:
    """The verdict on a Job and the log of its drill container (None: no log could be read)."""
    name = job["metadata"]["name"]
    state = finished(job)
    lines = [line for line in (log or "").splitlines() if line.startswith(PREFIX)]
    passed_line = any(line.startswith(f"{PREFIX}PASS") for line in lines)
    if state is None:
        return Verdict(name, False, False, lines, "the Job did not finish")
    if state == "Failed":
        reason = "" if any(line.startswith(f"{PREFIX}FAIL") for line in lines) else \
            f"the Job failed: {_failure(job)}"
        return Verdict(name, True, False, lines, reason)
    if not passed_line:
        where = "no log could be read" if log is None else "its log holds no drill result"
        return Verdict(name, True, False, lines, f"the Job completed but {where} (did the container run?)")
    return Verdict(name, True, True, lines)


def _failure(job: Obj) -> str:
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Failed":
            return condition.get("message") or condition.get("reason") or "no reason given"
    return "no reason given"


def verify(api: client.ApiClient, namespace: str, timeout: float = 3600, poll: float = 2.0,
           log: Callable[[str], None] = lambda line: None) -> Verdict:
    batch, core = client.BatchV1Api(api), client.CoreV1Api(api)
    cronjob = _read(lambda: batch.read_namespaced_cron_job(CRONJOB, namespace, _preload_content=False),
                    f"CronJob {namespace}/{CRONJOB}", missing=f"no CronJob {namespace}/{CRONJOB}: enable "
                    "backup.restoreDrill (with backup.pgDump) in the acme-platform values")
    name = f"{CRONJOB}-verify-{int(time.time())}"
    _read(lambda: batch.create_namespaced_job(namespace, job_from_cronjob(cronjob, name), _preload_content=False),
          f"creating Job {namespace}/{name}")
    log(f"backup verify: started Job {namespace}/{name}")
    deadline = time.monotonic() + timeout
    while True:
        job = _read(lambda: batch.read_namespaced_job(name, namespace, _preload_content=False), f"Job {namespace}/{name}")
        if finished(job) or time.monotonic() > deadline:
            break
        time.sleep(poll)
    return judge(job, _drill_log(core, namespace, name))


def termination_message(pod: Obj) -> str | None:
    """What the drill container left in its termination message, once it terminated."""
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == CONTAINER:
            return ((status.get("state") or {}).get("terminated") or {}).get("message") or None
    return None


def _drill_log(core: client.CoreV1Api, namespace: str, job: str) -> str | None:
    """The drill container's log of the Job's newest pod, else its termination message; None when
    neither can be read."""
    pods = _read(lambda: core.list_namespaced_pod(namespace, label_selector=f"batch.kubernetes.io/job-name={job}",
                                                  _preload_content=False), f"pods of Job {namespace}/{job}")["items"]
    if not pods:
        return None
    newest = max(pods, key=lambda p: p["metadata"]["creationTimestamp"])
    try:
        answer = core.read_namespaced_pod_log(newest["metadata"]["name"], namespace, container=CONTAINER,
                                              _preload_content=False, _request_timeout=30)
        return answer.data.decode(errors="replace")
    except (ApiException, HTTPError, OSError):
        return termination_message(newest)


def _read(call: Callable[[], Any], what: str, missing: str | None = None) -> Obj:
    try:
        return json.loads(call().data)
    except ApiException as err:
        if err.status == 404 and missing:
            raise HarnessError(f"backup verify: {missing}") from None
        raise HarnessError(f"backup verify: {what}: {err.status} {err.reason}") from None
    except (HTTPError, OSError) as err:
        raise HarnessError(f"backup verify: API server unreachable ({what}): {err}") from None
