"""Zero-downtime rollouts: RollingUpdate with fenceposts resolved the way Kubernetes does."""

from __future__ import annotations

from ..registry import check
from ...core.fields import get_or
from ...core.intstr import scaled
from ...core.workloads import desired_replicas

_PATH = "spec.strategy.rollingUpdate"


def _fenceposts(deployment, replicas: int) -> tuple[int, int]:
    """Deployment controller's ResolveFenceposts: surge rounds up, unavailable rounds down (defaults 25%)."""
    rolling = (deployment.spec.get("strategy") or {}).get("rollingUpdate") or {}
    surge = scaled(get_or(rolling, "maxSurge", "25%"), replicas, round_up=True)
    unavailable = scaled(get_or(rolling, "maxUnavailable", "25%"), replicas, round_up=False)
    return surge, unavailable


def _rolling_deployments(scenario):
    for deployment in scenario.manifests.of_kind("Deployment"):
        if get_or(get_or(deployment.spec, "strategy"), "type", "RollingUpdate") == "RollingUpdate":
            yield deployment


def strategy(scenario, check):
    for deployment in scenario.manifests.of_kind("Deployment"):
        kind = get_or(get_or(deployment.spec, "strategy"), "type", "RollingUpdate")
        if kind != "RollingUpdate":
            yield check.finding(deployment, "spec.strategy.type", f"strategy is {kind}, not RollingUpdate")


check("rollout.strategy", "Deployments use the RollingUpdate strategy (Recreate means downtime)", strategy)


def max_unavailable(scenario, check):
    for deployment in _rolling_deployments(scenario):
        replicas, source = desired_replicas(deployment, scenario.lookup)
        if replicas == 0:
            continue  # a parked workload (e.g. a canary between releases) has no availability to lose
        surge, unavailable = _fenceposts(deployment, replicas)
        if surge == 0 and unavailable == 0:
            unavailable = 1  # the controller's own fallback so a rollout can progress
        if unavailable >= replicas:
            yield check.finding(deployment, f"{_PATH}.maxUnavailable",
                                f"resolves to {unavailable} unavailable of {replicas} replicas ({source}): "
                                "every pod may be down at once")


check("rollout.max-unavailable", "maxUnavailable, rounded down against replicas/HPA minReplicas, leaves a pod serving",
      max_unavailable)


def max_surge(scenario, check):
    for deployment in _rolling_deployments(scenario):
        replicas, source = desired_replicas(deployment, scenario.lookup)
        surge, unavailable = _fenceposts(deployment, replicas)
        if unavailable == 0 and surge < 1:
            yield check.finding(deployment, f"{_PATH}.maxSurge",
                                f"resolves to {surge} with maxUnavailable 0 at {replicas} replicas ({source}): "
                                "the rollout cannot start a new pod")


check("rollout.max-surge", "maxSurge is at least 1 when maxUnavailable resolves to 0", max_surge)


def production_replicas(scenario, check):
    if not scenario.is_production:
        return
    minimum = scenario.settings.production_min_replicas
    for deployment in scenario.manifests.of_kind("Deployment"):
        replicas, source = desired_replicas(deployment, scenario.lookup)
        if replicas < minimum:
            yield check.finding(deployment, source, f"{replicas} replicas in production, need at least {minimum}")


check("rollout.production-replicas", "production runs at least 3 replicas (or HPA minReplicas)", production_replicas)
