"""The metrics collector behind Service acme-metrics: one writer at a time, its state on a claimed volume.

Pushgateway keeps each pushed group in the process that received it. Two pods behind the Service
(replicas, a rolling update's surge, one per node) each keep a copy of a group pushed to both, and
Prometheus scrapes them all: the older copy is a stale series. One pod reached through two scraped
Services is scraped twice. Without a persisted state file on a volume that outlives the pod, a
restart forgets every group.
"""

from __future__ import annotations

from ...core.fields import get_or, is_set
from ...core.manifests import service_selects
from ...core.selectors import selector_matches
from ...core.workloads import SERVING_KINDS, desired_replicas, hpa_for
from ..registry import check
from .monitoring import monitored_namespaces

# docs/contract.md: the collector's Service, what METRICS_URL names.
COLLECTOR_SERVICE = "acme-metrics"
STATE_FLAG = "--persistence.file"


def _collectors(scenario):
    """(Service, pod template) for each serving workload the collector Service selects."""
    for service in scenario.manifests.of_kind("Service"):
        if service.name != COLLECTOR_SERVICE or not service.spec.get("selector"):
            continue
        for template in scenario.lookup.pod_templates():
            if (template.owner.kind in SERVING_KINDS and template.owner.namespace == service.namespace
                    and service_selects(service.spec["selector"], template.labels)):
                yield service, template


def single_writer(scenario, check):
    for _, template in _collectors(scenario):
        workload = template.owner
        if workload.kind != "StatefulSet":
            yield check.finding(workload, "kind", f"{workload.kind} behind Service {COLLECTOR_SERVICE}: it runs "
                                "collector pods side by side (rolling update surge, one per node), each with its "
                                "own copy of the pushed groups; a StatefulSet never runs two pods of one ordinal")
        hpa = hpa_for(workload, scenario.lookup)
        if hpa is not None:
            yield check.finding(hpa, "spec.scaleTargetRef", f"scales the collector {workload.ref}: "
                                "every replica beyond one serves stale copies of re-pushed groups")
            continue
        replicas, _ = desired_replicas(workload, scenario.lookup)
        if workload.kind != "DaemonSet" and replicas != 1:
            yield check.finding(workload, "spec.replicas", f"{replicas} collector replicas: a group re-pushed "
                                "to another replica leaves a stale copy that Prometheus keeps scraping")


check("collector.single-writer",
      "the workload behind Service acme-metrics is a StatefulSet of exactly 1 replica with no HPA", single_writer)


def _state_file(container) -> str | None:
    words = [*(container.get("command") or []), *(container.get("args") or [])]
    for index, word in enumerate(words):
        if word.startswith(f"{STATE_FLAG}="):
            return word.split("=", 1)[1]
        if word == STATE_FLAG and index + 1 < len(words):
            return words[index + 1]
    return None


def _claimed_volumes(template) -> set[str]:
    workload = template.owner
    claims = {get_or(t, "metadata", {}).get("name") for t in workload.spec.get("volumeClaimTemplates") or []}
    claims |= {v.get("name") for v in template.spec.get("volumes") or [] if v.get("persistentVolumeClaim")}
    return claims


def _serves(container, service) -> bool:
    ports = container.get("ports") or []
    for port in service.spec.get("ports") or []:
        target = get_or(port, "targetPort", get_or(port, "port"))
        if any((p.get("name") == target) if isinstance(target, str) else (p.get("containerPort") == target)
               for p in ports):
            return True
    return False


def persisted_state(scenario, check):
    for service, template in _collectors(scenario):
        claims = _claimed_volumes(template)
        for container, path in template.containers(include_init=False):
            if not _serves(container, service):
                continue
            state = _state_file(container)
            if not state:
                yield check.finding(template.owner, f"{path}.args", f"no {STATE_FLAG}: a restart or rollout "
                                    "loses every pushed group")
                continue
            # a mount without mountPath mounts nothing (the API server refuses it), so it holds no state
            mounts = [m for m in container.get("volumeMounts") or []
                      if is_set(m, "mountPath") and state.startswith(str(m["mountPath"]).rstrip("/") + "/")]
            if not mounts:
                yield check.finding(template.owner, f"{path}.args", f"{STATE_FLAG} {state} is on the container's "
                                    "own filesystem, which is lost with the pod")
                continue
            mount = max(mounts, key=lambda m: len(str(m["mountPath"])))
            if mount.get("name") not in claims:
                yield check.finding(template.owner, f"{path}.volumeMounts", f"{state} is on volume "
                                    f"{mount.get('name')!r}, not a PersistentVolumeClaim: lost with the pod")
            elif mount.get("readOnly"):
                yield check.finding(template.owner, f"{path}.volumeMounts", f"{state} is on a read-only mount "
                                    f"of {mount.get('name')!r}: the collector cannot write it")


check("collector.persisted-state",
      "the collector behind Service acme-metrics keeps --persistence.file on a writable volume from a claim",
       persisted_state)


def _scrapes(monitor, service) -> bool:
    """The monitor makes targets of this Service: by port name, or by a pod-side targetPort."""
    names = {p.get("name") for p in service.spec.get("ports") or []}
    return any(e.get("port") in names if e.get("port") else e.get("targetPort") is not None
               for e in monitor.spec.get("endpoints") or [])


def scraped_once(scenario, check):
    collectors = [template for _, template in _collectors(scenario)]
    for monitor in scenario.lookup.of_kind("ServiceMonitor") if collectors else ():
        namespaces = monitored_namespaces(monitor)
        through = sorted(s.name for s in scenario.lookup.of_kind("Service")
                         if (namespaces is None or s.namespace in namespaces)
                         and selector_matches(monitor.spec.get("selector") or {}, s.labels) and _scrapes(monitor, s)
                         and any(t.owner.namespace == s.namespace and service_selects(s.spec.get("selector"), t.labels)
                                 for t in collectors))
        if len(through) > 1:
            yield check.finding(monitor, "spec.selector", f"scrapes the collector pods through {len(through)} Services "
                                f"({', '.join(through)}): every pushed series is scraped once per Service")


check("collector.scraped-once",
      "no ServiceMonitor scrapes the collector pods through more than one Service (every series would be twice)",
       scraped_once)
