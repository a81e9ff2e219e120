"""Backups: every schedule's cron parses, and backup CronJobs never run twice at once."""

from __future__ import annotations

import re

from ...core.fields import get_or
from ..registry import check

MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
WEEKDAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
# (lowest, highest, names) per field; day-of-week 7 is Sunday as well, as in robfig/cron.
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
          ("month", 1, 12, MONTHS), ("day of week", 0, 7, WEEKDAYS))
_ITEM = re.compile(r"^(?P<range>\*|\?|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(?P<step>[0-9]+))?$")
_EVERY = re.compile(r"^@every\s+([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")


def cron_error(expression: str) -> str | None:
    """Why a schedule would be refused by Kubernetes/Velero (robfig/cron standard syntax), or None."""
    text = " ".join(str(expression).lower().split())
    if text.startswith(("tz=", "cron_tz=")):
        return "time zones in the schedule are rejected by Kubernetes; use spec.timeZone"
    if text in MACROS or _EVERY.match(text):
        return None
    parts = text.split(" ")
    if len(parts) != 5:
        return f"{len(parts)} fields, want 5 (minute hour day-of-month month day-of-week) or a macro"
    for part, (name, low, high, names) in zip(parts, FIELDS):
        for item in part.split(","):
            problem = _item_error(item, low, high, names)
            if problem:
                return f"{name} field {part!r}: {problem}"
    return None


def _item_error(item: str, low: int, high: int, names: dict[str, int]) -> str | None:
    match = _ITEM.match(item)
    if not match:
        return f"cannot parse {item!r}"
    if match.group("step") is not None and int(match.group("step")) < 1:
        return "a step must be at least 1"
    if match.group("range") in ("*", "?"):
        return None
    bounds = []
    for value in match.group("range").split("-"):
        number = names.get(value, int(value) if value.isdigit() else None)
        if number is None or not low <= number <= high:
            return f"{value!r} is outside {low}-{high}"
        bounds.append(number)
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        return f"range {item!r} runs backwards"
    return None


@check("backup.cron", "every CronJob and Velero Schedule has a schedule that parses")
def cron(scenario, check):
    for obj in scenario.manifests.of_kind("CronJob", "Schedule"):
        if obj.kind == "Schedule" and not obj.api_version.startswith("velero.io/"):
            continue
        problem = cron_error(get_or(obj.spec, "schedule", ""))
        if problem:
            yield check.finding(obj, "spec.schedule", f"{obj.spec.get('schedule')!r}: {problem}")


@check("backup.concurrency-forbid", "backup CronJobs forbid concurrent runs (two dumps compete for the database)")
def concurrency_forbid(scenario, check):
    for job in scenario.manifests.of_kind("CronJob"):
        if job.labels.get("app.kubernetes.io/component") != "backup":
            continue
        policy = get_or(job.spec, "concurrencyPolicy", "Allow")
        if policy != "Forbid":
            yield check.finding(job, "spec.concurrencyPolicy", f"{policy}, want Forbid")
