"""Health probes: readiness gates traffic, liveness restarts, startup protects slow starts."""

from __future__ import annotations

from ..registry import check
from ...core.workloads import is_serving, serving_templates

_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def _serving_containers(scenario):
    for template in serving_templates(scenario.manifests):
        for container, path in template.containers(include_init=False):
            if is_serving(container):
                yield template.owner, container, path


def readiness(scenario, check):
    for owner, container, path in _serving_containers(scenario):
        if not container.get("readinessProbe"):
            yield check.finding(owner, f"{path}.readinessProbe", f"container {container.get('name')} has no readinessProbe")


check("probes.readiness", "every serving container has a readinessProbe", readiness)


def ports(scenario, check):
    for owner, container, path in _serving_containers(scenario):
        declared = container.get("ports") or []
        names = {p.get("name") for p in declared}
        numbers = {p.get("containerPort") for p in declared}
        for probe_key in _PROBES:
            probe = container.get(probe_key) or {}
            for handler in ("httpGet", "tcpSocket", "grpc"):
                port = (probe.get(handler) or {}).get("port")
                if port is None:
                    continue
                if (isinstance(port, str) and port not in names) or (isinstance(port, int) and port not in numbers):
                    yield check.finding(owner, f"{path}.{probe_key}.{handler}.port",
                                        f"port {port!r} is not a port of container {container.get('name')}")


check("probes.ports", "probe ports name or number a port the container declares", ports)


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _handler(probe: dict) -> dict:
    """What a probe runs, without its timing: two probes with the same handler fail together."""
    return {key: probe[key] for key in _HANDLERS if key in probe}


def liveness_differs(scenario, check):
    for owner, container, path in _serving_containers(scenario):
        liveness, readiness = container.get("livenessProbe"), container.get("readinessProbe")
        if liveness and readiness and _handler(liveness) == _handler(readiness):
            detail = "identical to readinessProbe" if liveness == readiness else \
                "runs the same check as readinessProbe (only the timing differs)"
            yield check.finding(owner, f"{path}.livenessProbe", detail)


check("probes.liveness-differs",
      "liveness does not run the same check as readiness (a slow dependency must not restart pods)", liveness_differs)


def startup(scenario, check):
    for owner, container, path in _serving_containers(scenario):
        if container.get("livenessProbe") and not container.get("startupProbe"):
            yield check.finding(owner, f"{path}.startupProbe",
                                f"container {container.get('name')} has a livenessProbe but no startupProbe")


check("probes.startup", "a startupProbe wherever there is a livenessProbe", startup)
