"""Upgrade safety: what `helm upgrade` from the base ref would fail on or destroy."""

from __future__ import annotations

from ..registry import CheckSkipped, check

# Fields the API server refuses to change in place (the upgrade fails or needs a delete).
_IMMUTABLE = {
    "Deployment": (("spec", "selector"),),
    "DaemonSet": (("spec", "selector"),),
    "ReplicaSet": (("spec", "selector"),),
    "StatefulSet": (("spec", "selector"), ("spec", "serviceName"), ("spec", "volumeClaimTemplates"),
                    ("spec", "podManagementPolicy")),
    "Job": (("spec", "selector"), ("spec", "template")),
    "Service": (("spec", "clusterIP"), ("spec", "type")),
    "PersistentVolumeClaim": (("spec", "storageClassName"), ("spec", "accessModes"), ("spec", "volumeName")),
}
_DEFAULTS = {("Service", "spec", "type"): "ClusterIP"}
# A chart that keeps the live value of an immutable field on upgrade (a `lookup` of the installed
# object) lists the field here; helm then never sends the change, so it cannot fail the upgrade.
KEEPS_LIVE = "acme.com/upgrade-keeps-live"


def kept_live(obj) -> set[str]:
    """Field paths (`spec.serviceName`) the object's chart keeps from the live object on upgrade."""
    return {part.strip() for part in str(obj.annotations.get(KEEPS_LIVE, "")).split(",") if part.strip()}


def _dig(doc, path):
    node = doc
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node


def _baseline(scenario):
    if scenario.baseline is None:
        raise CheckSkipped(scenario.baseline_note or "no render at the git base ref")
    return scenario.baseline


def immutable_fields(scenario, check):
    before = _baseline(scenario)
    for obj in scenario.manifests:
        fields = _IMMUTABLE.get(obj.kind)
        old = before.get(obj.kind, obj.name, obj.namespace) if fields else None
        if old is None:
            continue
        kept = kept_live(obj)
        for path in fields:
            if ".".join(path) in kept:
                continue
            default = _DEFAULTS.get((obj.kind, *path))
            was, now = _dig(old.doc, path), _dig(obj.doc, path)
            if (was if was is not None else default) != (now if now is not None else default):
                yield check.finding(obj, ".".join(path), f"changed from {was!r} to {now!r}: immutable on upgrade")


check("upgrade.immutable-fields", "no change, against the git base ref, to fields Kubernetes cannot update",
      immutable_fields)


def removed_resources(scenario, check):
    before = _baseline(scenario)
    for old in before:
        if scenario.manifests.get(old.kind, old.name, old.namespace) is not None:
            continue
        if old.kind == "PersistentVolumeClaim":
            yield check.finding(old, "metadata.name", "PVC removed: its data would be orphaned or deleted")
        elif old.annotations.get("helm.sh/resource-policy") == "keep":
            yield check.finding(old, "metadata.annotations[helm.sh/resource-policy]",
                                "object marked keep is no longer rendered")


check("upgrade.removed-resources", "no PVC or helm.sh/resource-policy=keep object disappears against the base ref",
      removed_resources)
