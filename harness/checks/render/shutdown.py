"""Graceful shutdown: a preStop delay lets endpoints drain before SIGTERM; the grace period covers both."""

from __future__ import annotations

import re

from ..registry import check
from ...core.workloads import is_serving, serving_templates

_SLEEP = re.compile(r"\bsleep\s+(\d+)")
DEFAULT_GRACE_SECONDS = 30  # the pod spec default


def prestop_delay(container: dict) -> int | None:
    """Seconds the preStop hook waits: the native sleep action or an exec `sleep N`; None if none."""
    hook = ((container.get("lifecycle") or {}).get("preStop")) or {}
    if "sleep" in hook:
        return int((hook["sleep"] or {}).get("seconds", 0))
    command = " ".join(str(part) for part in (hook.get("exec") or {}).get("command") or [])
    match = _SLEEP.search(command)
    return int(match.group(1)) if match else None


def _deployment_serving(scenario):
    for template in serving_templates(scenario.manifests):
        if template.owner.kind == "Deployment":
            for container, path in template.containers(include_init=False):
                if is_serving(container):
                    yield template, container, path


@check("shutdown.prestop", "serving containers of Deployments delay SIGTERM with a preStop sleep")
def prestop(scenario, check):
    for template, container, path in _deployment_serving(scenario):
        delay = prestop_delay(container)
        if not delay:
            yield check.finding(template.owner, f"{path}.lifecycle.preStop",
                                f"container {container.get('name')} has no preStop delay")


@check("shutdown.grace-period", "terminationGracePeriodSeconds exceeds the preStop delay plus drain time")
def grace_period(scenario, check):
    drain = scenario.settings.drain_seconds
    for template, container, path in _deployment_serving(scenario):
        delay = prestop_delay(container) or 0
        grace = int(template.spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS))
        if grace <= delay + drain:
            yield check.finding(template.owner, f"{template.spec_path}.terminationGracePeriodSeconds",
                                f"{grace}s is not more than preStop {delay}s + drain {drain}s")
