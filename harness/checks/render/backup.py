"""Backups: every schedule's cron parses, backup CronJobs never run twice at once, and the restore
drill drills the dump's backups into a database other than the live one."""

from __future__ import annotations

import base64
import binascii
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
    parts = text.split()
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


def cron(scenario, check):
    for obj in scenario.manifests.of_kind("CronJob", "Schedule"):
        if obj.kind == "Schedule" and not obj.api_version.startswith("velero.io/"):
            continue
        if obj.spec.get("schedule") is None:
            yield check.finding(obj, "spec.schedule", "no schedule: it never runs")
            continue
        problem = cron_error(obj.spec["schedule"])
        if problem:
            yield check.finding(obj, "spec.schedule", f"{obj.spec.get('schedule')!r}: {problem}")


check("backup.cron", "every CronJob and Velero Schedule has a schedule that parses", cron)


COMPONENT = "app.kubernetes.io/component"
BACKUP_COMPONENTS = ("backup", "restore-drill")
DRILL_SOURCE = ("S3_ENDPOINT", "S3_BUCKET", "S3_PREFIX")  # where the drill reads, as the upload writes


def concurrency_forbid(scenario, check):
    for job in scenario.manifests.of_kind("CronJob"):
        if job.labels.get(COMPONENT) not in BACKUP_COMPONENTS:
            continue
        policy = get_or(job.spec, "concurrencyPolicy", "Allow")
        if policy != "Forbid":
            yield check.finding(job, "spec.concurrencyPolicy", f"{policy}, want Forbid")


check("backup.concurrency-forbid", "backup CronJobs forbid concurrent runs (two dumps compete for the database, "
                                   "two drills for their scratch database)", concurrency_forbid)


def _env(container: dict) -> dict[str, tuple[int, dict]]:
    return {e.get("name"): (i, e) for i, e in enumerate(get_or(container, "env", [])) if isinstance(e, dict)}


def _secret_value(scenario, env_var: dict | None, namespace: str) -> str | None:
    """The value a secretKeyRef points at when that Secret is rendered (data or stringData), else None."""
    ref = get_or(get_or(env_var or {}, "valueFrom", {}), "secretKeyRef", {})
    secret = scenario.manifests.get("Secret", ref.get("name", ""), namespace) if ref else None
    if secret is None:
        return None
    if ref.get("key") in get_or(secret.doc, "stringData", {}):
        return str(secret.doc["stringData"][ref["key"]])
    try:
        return base64.b64decode(str(get_or(secret.doc, "data", {})[ref["key"]])).decode()
    except (KeyError, binascii.Error, UnicodeDecodeError):
        return None


def restore_drill(scenario, check):
    uploads = [(template.owner, _env(container)) for template in scenario.manifests.pod_templates()
               if template.owner.kind == "CronJob" and template.labels.get(COMPONENT) == "backup"
               for container, _ in template.containers(include_init=False) if "S3_PREFIX" in _env(container)
               and template.owner.name == "acme-db-backup"]
    for template in scenario.manifests.pod_templates():
        if template.labels.get(COMPONENT) != "restore-drill":
            continue
        for container, path in template.containers(include_init=False):
            env = _env(container)
            if "PGDATABASE" not in env:
                continue
            index, scratch_var = env.get("SCRATCH_DATABASE", (None, {}))
            scratch = str(get_or(scratch_var, "value", ""))
            live = _secret_value(scenario, env["PGDATABASE"][1], template.owner.namespace)
            if not scratch:
                yield check.finding(template.owner, f"{path}.env", "no SCRATCH_DATABASE: the drill has nowhere to restore")
            elif scratch == live:
                yield check.finding(template.owner, f"{path}.env[{index}].value",
                                    f"SCRATCH_DATABASE {scratch!r} is the live database {live!r}: the drill drops and "
                                    "recreates it")
            if not uploads:
                yield check.finding(template.owner, path, "no dump CronJob acme-db-backup: the drill has no backups "
                                                          "to restore")
            for owner, upload in uploads:
                for name in DRILL_SOURCE:
                    theirs = get_or(upload.get(name, (0, {}))[1], "value", "")
                    where, ours = env.get(name, (None, {}))
                    if get_or(ours, "value", "") != theirs:
                        field = f"{path}.env[{where}].value" if where is not None else f"{path}.env"
                        yield check.finding(template.owner, field,
                                            f"{name} {get_or(ours, 'value', '')!r}, but {owner.name} uploads to "
                                            f"{theirs!r}: the drill would restore other backups than the dump writes")


check("backup.restore-drill", "the restore drill reads the backups the dump writes and restores into a scratch "
                              "database, never the live one", restore_drill)
