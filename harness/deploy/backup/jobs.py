"""A backup CronJob run now: the Job `kubectl create job --from=cronjob/NAME` makes, created, waited
for, and its newest pod read. `harness backup run` and `harness backup verify` both start theirs here."""

from __future__ import annotations

import copy
import json
import time
from typing import Any, Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ...core.errors import HarnessError

Obj = dict[str, Any]


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


def failure(job: Obj) -> str:
    """Why the Job controller failed the Job, as its condition says."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Failed":
            return condition.get("message") or condition.get("reason") or "no reason given"
    return "no reason given"


def read(command: str, call: Callable[[], Any], what: str, missing: str | None = None) -> Obj:
    """The JSON answer of one API call; a refusal or an unreachable server is one sentence naming `what`."""
    try:
        return json.loads(call().data)
    except ApiException as err:
        if err.status == 404 and missing:
            raise HarnessError(f"{command}: {missing}") from None
        raise HarnessError(f"{command}: {what}: {err.status} {err.reason}") from None
    except (HTTPError, OSError) as err:
        raise HarnessError(f"{command}: API server unreachable ({what}): {err}") from None


def cronjob(api: client.ApiClient, command: str, namespace: str, name: str, missing: str) -> Obj:
    batch = client.BatchV1Api(api)
    return read(command, lambda: batch.read_namespaced_cron_job(name, namespace, _preload_content=False),
                f"CronJob {namespace}/{name}", missing=f"no CronJob {namespace}/{name}: {missing}")


def run_now(api: client.ApiClient, command: str, source: Obj, suffix: str, timeout: float, poll: float,
            log: Callable[[str], None]) -> Obj:
    """Create a Job from CronJob `source` named <cronjob>-<suffix>-<unix time> and return it once the
    Job controller decided (or at the timeout, unfinished)."""
    batch = client.BatchV1Api(api)
    namespace = source["metadata"]["namespace"]
    name = f"{source['metadata']['name']}-{suffix}-{int(time.time())}"
    read(command, lambda: batch.create_namespaced_job(namespace, job_from_cronjob(source, name), _preload_content=False),
         f"creating Job {namespace}/{name}")
    log(f"{command}: started Job {namespace}/{name}")
    deadline = time.monotonic() + timeout
    while True:
        job = read(command, lambda: batch.read_namespaced_job(name, namespace, _preload_content=False),
                   f"Job {namespace}/{name}")
        if finished(job) or time.monotonic() > deadline:
            return job
        time.sleep(poll)


def newest_pod(api: client.ApiClient, command: str, namespace: str, job: str) -> Obj | None:
    core = client.CoreV1Api(api)
    pods = read(command, lambda: core.list_namespaced_pod(namespace, label_selector=f"batch.kubernetes.io/job-name={job}",
                                                          _preload_content=False), f"pods of Job {namespace}/{job}")["items"]
    return max(pods, key=lambda p: p["metadata"]["creationTimestamp"]) if pods else None


def termination_message(pod: Obj, container: str) -> str | None:
    """What a container left in its termination message, once it terminated."""
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == container:
            return ((status.get("state") or {}).get("terminated") or {}).get("message") or None
    return None
