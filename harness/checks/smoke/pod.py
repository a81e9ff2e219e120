"""No pod stuck Pending or crash-looping."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from ...core.fields import get_or
from ..registry import Check, Finding, smoke_check
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def _age(snap: Snapshot, timestamp: str) -> float:
    created = dt.datetime.fromisoformat(timestamp)  # reads the API's trailing Z since Python 3.11
    return (snap.taken_at - created).total_seconds()


def pod_healthy(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    for pod in snap.pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue  # terminating pods of a finished rollout are on their way out
        status = get_or(pod, "status", {})
        if status.get("phase") == "Pending" and _age(snap, pod["metadata"]["creationTimestamp"]) > settings.pending_deadline_seconds:
            yield check.finding(pod, "status.phase", f"Pending for more than {settings.pending_deadline_seconds} s", "Pod")
        for cs in get_or(status, "containerStatuses", []):
            waiting = get_or(get_or(get_or(cs, "state"), "waiting"), "reason", "")
            restarts = get_or(cs, "restartCount", 0)
            if waiting == "CrashLoopBackOff" or restarts > settings.max_restarts:
                yield check.finding(pod, f"status.containerStatuses[{cs.get('name')}]",
                                    f"crash-looping ({restarts} restarts, {waiting or 'running'})", "Pod")


smoke_check("pod.healthy", "no pod Pending past the deadline or crash-looping", pod_healthy)
