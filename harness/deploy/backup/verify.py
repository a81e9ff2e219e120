"""`harness backup verify`: the restore drill now, as a Job made from CronJob acme-restore-drill (what
`kubectl create job --from=cronjob/…` makes), waited for, and judged by its status and its log.

The drill passes only when the Job completed *and* its log holds the drill's PASS line: a Job marked
complete without that line (a pod on a simulated node runs no container) proves nothing. Where the
node serves no logs, the drill's termination message (DRILL_RESULT_FILE, its newest lines) stands in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from .jobs import Obj, cronjob, failure, finished, newest_pod, run_now
from .jobs import termination_message as _message

COMMAND = "backup verify"
CRONJOB = "acme-restore-drill"
CONTAINER = "drill"
PREFIX = "drill: "  # every line drill.py writes about the comparison


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
            f"the Job failed: {failure(job)}"
        return Verdict(name, True, False, lines, reason)
    if not passed_line:
        where = "no log could be read" if log is None else "its log holds no drill result"
        return Verdict(name, True, False, lines, f"the Job completed but {where} (did the container run?)")
    return Verdict(name, True, True, lines)


def verify(api: client.ApiClient, namespace: str, timeout: float = 3600, poll: float = 2.0,
           log: Callable[[str], None] = lambda line: None) -> Verdict:
    source = cronjob(api, COMMAND, namespace, CRONJOB, "enable backup.restoreDrill (with backup.pgDump) in the "
                     "acme-platform values")
    job = run_now(api, COMMAND, source, "verify", timeout, poll, log)
    return judge(job, _drill_log(api, namespace, job["metadata"]["name"]))


def termination_message(pod: Obj) -> str | None:
    """What the drill container left in its termination message, once it terminated."""
    return _message(pod, CONTAINER)


def _drill_log(api: client.ApiClient, namespace: str, job: str) -> str | None:
    """The drill container's log of the Job's newest pod, else its termination message; None when
    neither can be read."""
    newest = newest_pod(api, COMMAND, namespace, job)
    if newest is None:
        return None
    try:
        answer = client.CoreV1Api(api).read_namespaced_pod_log(newest["metadata"]["name"], namespace,
                                                               container=CONTAINER, _preload_content=False,
                                                               _request_timeout=30)
        return answer.data.decode(errors="replace")
    except (ApiException, HTTPError, OSError):
        return termination_message(newest)
