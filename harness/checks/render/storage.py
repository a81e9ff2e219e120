"""Node-local storage: every emptyDir is bounded, and batch pods reserve the disk their scratch needs."""

from __future__ import annotations

from decimal import Decimal

from ...core.quantity import parse_quantity
from ..registry import check

_BATCH_KINDS = ("Job", "CronJob")


def _empty_dirs(template):
    for index, volume in enumerate(template.spec.get("volumes") or []):
        if "emptyDir" in volume:
            yield index, volume, volume.get("emptyDir") or {}


def emptydir_size_limit(scenario, check):
    for template in scenario.manifests.pod_templates():
        for index, volume, empty_dir in _empty_dirs(template):
            if not empty_dir.get("sizeLimit"):
                yield check.finding(template.owner, f"{template.spec_path}.volumes[{index}].emptyDir.sizeLimit",
                                    f"volume {volume.get('name')} has no sizeLimit")


check("storage.emptydir-size-limit",
      "every emptyDir has a sizeLimit (an unbounded one can fill the node's disk or memory and evict its neighbours)",
       emptydir_size_limit)


def _request(container) -> Decimal:
    value = ((container.get("resources") or {}).get("requests") or {}).get("ephemeral-storage")
    return parse_quantity(value) if value is not None else Decimal(0)


def pod_ephemeral_request(template) -> Decimal:
    """What the scheduler reserves: the larger of the biggest init container and the sum of the others."""
    spec = template.spec
    init = max((_request(c) for c in spec.get("initContainers") or []), default=Decimal(0))
    return max(init, sum((_request(c) for c in spec.get("containers") or []), Decimal(0)))


def _size(value) -> str:
    return f"{value / 2**20:.0f}Mi"


def ephemeral_request(scenario, check):
    for template in scenario.manifests.pod_templates():
        if template.owner.kind not in _BATCH_KINDS:
            continue
        scratch = sum((parse_quantity(d["sizeLimit"]) for _, _, d in _empty_dirs(template)
                       if d.get("medium") != "Memory" and d.get("sizeLimit")), Decimal(0))
        requested = pod_ephemeral_request(template)
        if scratch and requested < scratch:
            yield check.finding(template.owner, f"{template.spec_path}.containers[0].resources.requests.ephemeral-storage",
                                f"the pod requests {_size(requested)} of ephemeral storage, its disk-backed emptyDirs "
                                f"may hold {_size(scratch)}")


check("storage.ephemeral-request",
      "Job and CronJob pods request at least the ephemeral storage of their disk-backed emptyDirs (otherwise the "
      "scheduler can place a run on a node without the space, and the kubelet evicts it midway)", ephemeral_request)
