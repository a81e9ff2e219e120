"""Progressive delivery: canary and blue-green tracks stay apart, are weighted exactly, and are covered alike.

A track is one of several serving workloads of the same component (`app.kubernetes.io/part-of` and
`app.kubernetes.io/component` of its pods) in one namespace: the stable Deployment and its canary,
or the blue and green colours. A preview route (label `acme.com/route: preview`) reaches the idle
colour; every other route with backends is public.
"""

from __future__ import annotations

import json
from collections import defaultdict

from ...core.fields import get_or
from ...core.manifests import service_selects
from ...core.selectors import selector_matches
from ...core.workloads import SERVING_KINDS, desired_replicas, hpa_for
from ..registry import check
from .isolation import ingress_backends, route_backends

PREVIEW_LABEL = ("acme.com/route", "preview")
COMPONENT_KEYS = ("app.kubernetes.io/part-of", "app.kubernetes.io/component")
WEIGHT_TOTAL = 100  # weights are percent, so the split reads the same at every edge


def _template_labels(workload) -> dict[str, str]:
    return get_or(get_or(get_or(workload.spec, "template"), "metadata"), "labels", {})


def _workloads(lookup):
    return lookup.of_kind(*SERVING_KINDS)


def _selected_workloads(service, lookup):
    """Serving workloads whose pods the Service's selector matches."""
    return [w for w in _workloads(lookup)
            if w.namespace == service.namespace and service_selects(service.spec.get("selector"), _template_labels(w))]


def tracks(manifests) -> list[list]:
    """Serving workloads grouped by component and namespace, only groups of two tracks or more, by name."""
    groups = defaultdict(list)
    for workload in manifests.of_kind(*SERVING_KINDS):
        labels = _template_labels(workload)
        if all(labels.get(key) for key in COMPONENT_KEYS):
            groups[(workload.namespace, *(labels[key] for key in COMPONENT_KEYS))].append(workload)
    return [sorted(group, key=lambda w: w.name) for _, group in sorted(groups.items()) if len(group) > 1]


def _weighted(scenario):
    """(object, field of the list, [(field, weight, Service name or None)]) of every weighted backend list."""
    for route in scenario.manifests.of_kind("HTTPRoute"):
        for r, rule in enumerate(route.spec.get("rules") or []):
            refs = rule.get("backendRefs") or []
            if len(refs) > 1 or any("weight" in ref for ref in refs):
                services = {path: ref for path, ref in route_backends(route) if path.startswith(f"spec.rules[{r}].")}
                yield route, f"spec.rules[{r}].backendRefs", [
                    (f"spec.rules[{r}].backendRefs[{b}]", get_or(ref, "weight", 1),
                     ref.get("name") if f"spec.rules[{r}].backendRefs[{b}]" in services else None)
                    for b, ref in enumerate(refs)]
    for service in scenario.manifests.of_kind("TraefikService"):
        entries = get_or(get_or(service.spec, "weighted"), "services")
        if entries:
            yield service, "spec.weighted.services", [
                (f"spec.weighted.services[{i}]", get_or(entry, "weight", 1),
                 entry.get("name") if get_or(entry, "kind", "Service") == "Service" else None)
                for i, entry in enumerate(entries)]


def weights(scenario, check):
    for obj, field, entries in _weighted(scenario):
        total, exact = 0, True
        for path, weight, name in entries:
            if isinstance(weight, bool) or not isinstance(weight, int):
                yield check.finding(obj, f"{path}.weight", f"weight {weight!r} is not an integer")
                exact = False
                continue
            total += weight
            if weight <= 0 or name is None:
                continue
            service = scenario.lookup.get("Service", str(name), obj.namespace)
            if service is None:
                yield check.finding(obj, path, f"weight {weight} to Service {name}, which is not rendered")
                continue
            selected = _selected_workloads(service, scenario.lookup)
            if not selected:
                yield check.finding(obj, path, f"weight {weight} to Service {name}, which selects no rendered workload")
            for workload in selected:
                replicas, source = desired_replicas(workload, scenario.lookup)
                if replicas < 1:
                    yield check.finding(obj, path, f"weight {weight} to {workload.ref}, which runs {replicas} "
                                                   f"replicas ({source})")
        if exact and total != WEIGHT_TOTAL:
            yield check.finding(obj, field, f"weights sum to {total}, not {WEIGHT_TOTAL}")


check("progressive.weights", "weighted backends (HTTPRoute backendRefs, Traefik weighted services) have integer "
      "weights summing to 100, and weight only for a track whose pods exist", weights)


def track_selectors(scenario, check):
    for service in scenario.manifests.of_kind("Service"):
        selected = _selected_workloads(service, scenario.lookup)
        if len(selected) > 1:
            names = " and ".join(str(w.ref) for w in selected)
            yield check.finding(service, "spec.selector", f"selects the pods of {names}: one Service must reach "
                                                          f"one track")
    workloads = _workloads(scenario.lookup)
    for workload in scenario.manifests.of_kind(*SERVING_KINDS):
        selector = get_or(workload.spec, "selector")
        for other in workloads:
            if other is not workload and other.namespace == workload.namespace and other.kind == workload.kind \
                    and selector_matches(selector, _template_labels(other)):
                yield check.finding(workload, "spec.selector", f"also matches the pods of {other.ref}: its "
                                                               f"controller and HPA would count them")


check("progressive.track-selectors", "no Service selects the pods of two workloads and no workload's selector "
      "matches another's pods, so each track is reached and counted alone", track_selectors)


def _hosts(route):
    if route.kind == "Ingress":
        return [(f"spec.rules[{i}].host", rule.get("host")) for i, rule in enumerate(route.spec.get("rules") or [])
                if rule.get("host")]
    return [(f"spec.hostnames[{i}]", host) for i, host in enumerate(route.spec.get("hostnames") or [])]


def _backend_services(route, manifests):
    """Names of the Services a route sends to; Traefik's weighted services are followed one level."""
    if route.kind == "Ingress":
        return {str(backend.get("name")) for _, backend in ingress_backends(route)}
    if route.kind == "HTTPRoute":
        return {str(ref.get("name")) for _, ref in route_backends(route)}
    names = set()
    for rule in route.spec.get("routes") or []:
        for service in rule.get("services") or []:
            if get_or(service, "kind", "Service") == "Service":
                names.add(str(service.get("name")))
            elif service.get("kind") == "TraefikService":
                weighted = manifests.get("TraefikService", str(service.get("name")), route.namespace)
                for entry in get_or(get_or(weighted.spec if weighted else {}, "weighted"), "services", []):
                    if get_or(entry, "kind", "Service") == "Service":
                        names.add(str(entry.get("name")))
    return names


def _component(route) -> str:
    return route.labels.get("app.kubernetes.io/component", "")


def preview(scenario, check):
    routes = [r for r in scenario.manifests.of_kind("Ingress", "HTTPRoute", "IngressRoute")
              if _backend_services(r, scenario.lookup)]
    previews = [r for r in routes if r.labels.get(PREVIEW_LABEL[0]) == PREVIEW_LABEL[1]]
    for route in previews:
        public = [r for r in routes if r not in previews and r.namespace == route.namespace
                  and _component(r) == _component(route)]
        public_hosts = {host for r in public for _, host in _hosts(r)}
        for field, host in _hosts(route):
            if host in public_hosts:
                yield check.finding(route, field, f"preview host {host} is also a public host")
        public_workloads = {w.ref for r in public for name in _backend_services(r, scenario.lookup)
                            if (s := scenario.lookup.get("Service", name, r.namespace))
                            for w in _selected_workloads(s, scenario.lookup)}
        for name in sorted(_backend_services(route, scenario.lookup)):
            service = scenario.lookup.get("Service", name, route.namespace)
            for workload in _selected_workloads(service, scenario.lookup) if service else []:
                if workload.ref in public_workloads:
                    yield check.finding(route, "spec", f"reaches {workload.ref} through Service {name}, which the "
                                                       f"public routes reach too: the preview must reach the idle "
                                                       f"colour")


check("progressive.preview", "a preview route serves no public host and reaches only a track the public routes "
      "of its component do not (the idle colour)", preview)


def _budgets(workload, lookup):
    return [b for b in lookup.of_kind("PodDisruptionBudget") if b.namespace == workload.namespace
            and selector_matches(get_or(b.spec, "selector"), _template_labels(workload))]


def track_coverage(scenario, check):
    for group in tracks(scenario.manifests):
        scaled = [w for w in group if hpa_for(w, scenario.lookup) is not None]
        budgets = {w.ref: _budgets(w, scenario.lookup) for w in group}
        for workload in group:
            if scaled and workload not in scaled:
                yield check.finding(workload, "spec", f"no HorizontalPodAutoscaler scales this track, while "
                                                      f"{scaled[0].ref} has one")
            covered = [w for w in group if budgets[w.ref]]
            if covered and not budgets[workload.ref]:
                yield check.finding(workload, "spec", f"no PodDisruptionBudget covers this track's pods, while "
                                                      f"{covered[0].ref} has one")
        shared = defaultdict(list)
        for workload in group:
            for budget in budgets[workload.ref]:
                shared[budget.ref].append(workload)
        for ref, workloads in sorted(shared.items(), key=lambda item: str(item[0])):
            if len(workloads) > 1:
                budget = scenario.lookup.get(ref.kind, ref.name, ref.namespace)
                names = " and ".join(str(w.ref) for w in workloads)
                yield check.finding(budget, "spec.selector", f"covers the pods of {names}: a drain could take one "
                                                             f"track's last pod while counting the other's")


check("progressive.track-coverage", "every track of a component has its own HPA and its own PDB when one of its "
      "tracks has one (each scales and drains on its own)", track_coverage)


def _isolation(workload, lookup) -> list[str]:
    """The rules of every NetworkPolicy selecting the workload's pods, in a form that compares by content."""
    rules = []
    for policy in lookup.of_kind("NetworkPolicy"):
        if policy.namespace == workload.namespace and selector_matches(policy.spec.get("podSelector"),
                                                                       _template_labels(workload)):
            body = {key: policy.spec.get(key) for key in ("policyTypes", "ingress", "egress")}
            rules.append(json.dumps(body, sort_keys=True))
    return sorted(rules)


def track_policies(scenario, check):
    for group in tracks(scenario.manifests):
        first, *rest = group
        reference = _isolation(first, scenario.lookup)
        for workload in rest:
            rules = _isolation(workload, scenario.lookup)
            if not rules and reference:
                yield check.finding(workload, "spec.template.metadata.labels",
                                    f"no NetworkPolicy selects this track's pods, while {first.ref}'s are isolated")
            elif rules != reference:
                yield check.finding(workload, "spec.template.metadata.labels",
                                    f"the NetworkPolicies selecting this track's pods differ from those of "
                                    f"{first.ref}: every track must be isolated alike")


check("progressive.track-policies", "every track of a component is selected by NetworkPolicies with the same "
      "rules, so the isolation contract holds for each", track_policies)
