"""Graceful shutdown: a preStop delay lets endpoints drain before SIGTERM; the grace period covers both."""

from __future__ import annotations

import re

from ..registry import check
from ...core.fields import get_or, is_set
from ...core.workloads import is_serving, serving_templates

_SLEEP = re.compile(r"\bsleep\s+(\d+)")
DEFAULT_GRACE_SECONDS = 30  # the pod spec default


def prestop_delay(container: dict) -> int | None:
    """Seconds the preStop hook waits: the native sleep action or an exec `sleep N`; None if none."""
    hook = get_or(get_or(container, "lifecycle"), "preStop")
    if is_set(hook, "sleep"):
        return int(get_or(hook["sleep"], "seconds", 0))
    command = " ".join(str(part) for part in get_or(get_or(hook, "exec"), "command", []))
    match = _SLEEP.search(command)
    return int(match.group(1)) if match else None


def _deployment_serving(scenario):
    for template in serving_templates(scenario.manifests):
        if template.owner.kind == "Deployment":
            for container, path in template.containers(include_init=False):
                if is_serving(container):
                    yield template, container, path


def prestop(scenario, check):
    for template, container, path in _deployment_serving(scenario):
        delay = prestop_delay(container)
        if not delay:
            yield check.finding(template.owner, f"{path}.lifecycle.preStop",
                                f"container {container.get('name')} has no preStop delay")


check("shutdown.prestop", "serving containers of Deployments delay SIGTERM with a preStop sleep", prestop)


def grace_period(scenario, check):
    drain = scenario.settings.drain_seconds
    for template, container, path in _deployment_serving(scenario):
        delay = prestop_delay(container) or 0
        grace = int(get_or(template.spec, "terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS))
        if grace <= delay + drain:
            yield check.finding(template.owner, f"{template.spec_path}.terminationGracePeriodSeconds",
                                f"{grace}s is not more than preStop {delay}s + drain {drain}s")


check("shutdown.grace-period", "terminationGracePeriodSeconds exceeds the preStop delay plus drain time", grace_period)
