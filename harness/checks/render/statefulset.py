"""StatefulSets: the governing Service that gives each pod its stable DNS name."""

from __future__ import annotations

from ...core.manifests import service_selects
from ..registry import check


def governing_service(scenario, check):
    for sts in scenario.manifests.of_kind("StatefulSet"):
        name = sts.spec.get("serviceName")
        if not name:
            yield check.finding(sts, "spec.serviceName", "not set: the pods get no stable DNS names")
            continue
        service = scenario.manifests.get("Service", str(name), sts.namespace)
        labels = ((sts.spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if service is None or service.release != sts.release:
            yield check.finding(sts, "spec.serviceName", f"Service {name} is not rendered by release {sts.release}")
        elif service.spec.get("clusterIP") != "None":
            yield check.finding(sts, "spec.serviceName",
                                f"Service {name} is not headless (clusterIP: None); a ClusterIP Service gives "
                                "the pods no DNS names of their own")
        elif not service_selects(service.spec.get("selector"), labels):
            yield check.finding(sts, "spec.serviceName", f"Service {name} does not select the StatefulSet's pods")


check("statefulset.governing-service",
      "each StatefulSet's serviceName names a headless Service of its release that selects its pods "
      "(per-pod DNS names exist only behind one)", governing_service)
