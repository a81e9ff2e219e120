"""Network isolation: the allowed-flow matrix matches the contract, nothing internal is exposed."""

from __future__ import annotations

from collections import defaultdict

from ...core.fields import get_or
from ...core.manifests import ObjectRef, service_selects
from ...core.selectors import selector_matches
from ...policy.netpol import flow_matrix
from ...policy.intended import Flow
from ..registry import CheckSkipped, Needs, check

INTERNAL = ("db", "metrics")  # components nothing outside the cluster may reach


def _intended(scenario):
    if scenario.intended is None:
        raise CheckSkipped("no intended-flows file (policy/intended-flows.yaml)")
    return scenario.intended


def _matrix(scenario, intended):
    """The flow matrix, computed once per scenario and shared by both isolation checks."""
    if "flows" not in scenario.memo:
        scenario.memo["flows"] = flow_matrix(intended, scenario.manifests)
    return scenario.memo["flows"]


def _describe(flow) -> str:
    return f"{flow.source.name} -> {flow.target.name}:{flow.port}/{flow.protocol}"


def _anchor(flow, verdict):
    """The object to blame: the admitting policy, else the workload (or namespace) no policy isolates."""
    if verdict.policy is not None:
        return verdict.policy, verdict.rule or "spec"
    endpoint = flow.target if verdict is flow.ingress else flow.source
    if endpoint.workload is not None:
        return endpoint.workload, "spec (no NetworkPolicy isolates this pod)"
    return ObjectRef("Namespace", "", endpoint.namespace or "-"), "(no NetworkPolicy isolates these pods)"


def flows(scenario, check):
    intended = _intended(scenario)
    results = _matrix(scenario, intended)
    allowed = {Flow(r.source.name, r.target.name, r.port, r.protocol) for r in results if r.allowed}
    unexpected = defaultdict(list)
    for result in results:
        key = Flow(result.source.name, result.target.name, result.port, result.protocol)
        if result.allowed and key not in intended.flows:
            unexpected[(result.source.name, result.target.name)].append(result)
    for (source, target), group in sorted(unexpected.items()):
        first = group[0]
        verdict = first.ingress if first.target.in_cluster and first.ingress.policy else first.egress
        obj, field = _anchor(first, verdict)
        ports = ", ".join(sorted({f"{r.port}/{r.protocol}" for r in group}))
        yield check.finding(obj, field, f"unintended flow {source} -> {target} allowed on {ports}")
    probed = {(r.source.name, r.target.name, r.port, r.protocol): r for r in results}
    for flow in sorted(intended.flows, key=lambda f: (f.source, f.target, f.port, f.protocol)):
        result = probed.get((flow.source, flow.target, flow.port, flow.protocol))
        if result is None or flow in allowed:
            continue  # a component (or the port) absent from this environment
        verdict = result.egress if not result.egress.allowed else result.ingress
        yield check.finding(verdict.policy, "spec", f"intended flow {_describe(result)} is denied "
                                                    f"({'egress' if verdict is result.egress else 'ingress'} side)")


check("isolation.flows", "allowed flows (egress AND ingress) between components equal the intended matrix",
      flows, needs=Needs.ENVIRONMENT)


def ingress_side(scenario, check):
    intended = _intended(scenario)
    seen = set()
    for result in _matrix(scenario, intended):
        target = result.target
        if not target.in_cluster or target.workload is None or not result.ingress.allowed:
            continue
        key = Flow(result.source.name, target.name, result.port, result.protocol)
        if key in intended.flows or (result.source.name, target.name) in seen:
            continue
        seen.add((result.source.name, target.name))
        obj, field = _anchor(result, result.ingress)
        yield check.finding(obj, field, f"ingress admits {_describe(result)}, which the contract does not allow")


check("isolation.ingress", "ingress rules alone admit only intended sources (defence when a source's egress is open)",
      ingress_side, needs=Needs.ENVIRONMENT)


def _internal_pod_labels(scenario):
    """Labels of every rendered pod that belongs to the database or the metrics collector."""
    specs = [s for s in (scenario.intended.component(n) for n in INTERNAL) if s]
    wanted = [dict(spec.pod_labels) for spec in specs]
    pods = [t.labels for t in scenario.lookup.pod_templates()
            if any(all(t.labels.get(k) == v for k, v in labels.items()) for labels in wanted)]
    return pods, {spec.external_service for spec in specs if spec.external_service}


def _internal_services(scenario):
    """(namespace, name) of Services that lead to the database or the metrics collector."""
    pods, external = _internal_pod_labels(scenario)
    return {(s.namespace, s.name) for s in scenario.lookup.of_kind("Service")
            if s.name in external or any(service_selects(s.spec.get("selector"), labels) for labels in pods)}


def exposure(scenario, check):
    if scenario.intended is None:
        raise CheckSkipped("no intended-flows file (policy/intended-flows.yaml)")
    internal = _internal_services(scenario)
    for service in scenario.manifests.of_kind("Service"):
        if (service.namespace, service.name) in internal:
            kind = service.spec.get("type")  # unset is ClusterIP, which exposes nothing
            if kind in ("LoadBalancer", "NodePort"):
                yield check.finding(service, "spec.type", f"{kind} exposes an internal component")
            if service.spec.get("externalIPs"):
                yield check.finding(service, "spec.externalIPs", "externalIPs expose an internal component")
    for ingress in scenario.manifests.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            if (ingress.namespace, backend.get("name")) in internal:
                yield check.finding(ingress, path, f"routes to internal Service {backend.get('name')}")
    for route in scenario.manifests.of_kind("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute"):
        for path, ref in route_backends(route):
            if (get_or(ref, "namespace", route.namespace), ref.get("name")) in internal:
                yield check.finding(route, path, f"routes to internal Service {ref.get('name')}")
    for obj in scenario.manifests.of_kind("IngressRoute", "TraefikService"):
        for path, ref in traefik_backends(obj):
            if (get_or(ref, "namespace", obj.namespace), ref.get("name")) in internal:
                yield check.finding(obj, path, f"routes to internal Service {ref.get('name')}")


check("isolation.exposure", "no LoadBalancer, NodePort, Ingress, HTTPRoute or Traefik route reaches the database or "
      "metrics", exposure)


def policy_selects_pods(scenario, check):
    templates = scenario.manifests.pod_templates()
    for policy in scenario.manifests.of_kind("NetworkPolicy"):
        selector = policy.spec.get("podSelector")
        if selector == {} or selector is None:
            continue  # {} selects every pod of the namespace: the baseline's default-deny
        if not any(t.owner.namespace == policy.namespace and selector_matches(selector, t.labels) for t in templates):
            yield check.finding(policy, "spec.podSelector", f"selects no pod rendered in namespace {policy.namespace}")


check("isolation.policy-selects-pods",
      "every NetworkPolicy with a pod selector selects a pod of the environment (one that selects none is dead "
      "configuration, or a label that no longer matches)", policy_selects_pods, needs=Needs.ENVIRONMENT)


def host_access(scenario, check):
    for template in scenario.manifests.pod_templates():
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if template.spec.get(flag):
                yield check.finding(template.owner, f"{template.spec_path}.{flag}", f"{flag} is true")
        for container, path in template.containers():
            for index, port in enumerate(container.get("ports") or []):
                if port.get("hostPort"):
                    yield check.finding(template.owner, f"{path}.ports[{index}].hostPort",
                                        f"hostPort {port['hostPort']} bypasses NetworkPolicies")


check("isolation.host-access", "no hostNetwork, hostPID, hostIPC or hostPort", host_access)


def ingress_backends(ingress):
    default = (ingress.spec.get("defaultBackend") or {}).get("service")
    if default:
        yield "spec.defaultBackend.service", default
    for r, rule in enumerate(ingress.spec.get("rules") or []):
        for p, entry in enumerate((rule.get("http") or {}).get("paths") or []):
            service = (entry.get("backend") or {}).get("service")
            if service:
                yield f"spec.rules[{r}].http.paths[{p}].backend.service", service


def route_backends(route):
    for r, rule in enumerate(route.spec.get("rules") or []):
        for b, ref in enumerate(rule.get("backendRefs") or []):
            if get_or(ref, "kind", "Service") == "Service" and get_or(ref, "group", "") == "":
                yield f"spec.rules[{r}].backendRefs[{b}]", ref



def traefik_backends(obj):
    """Kubernetes Services an IngressRoute's routes or a TraefikService's weighted list send to."""
    if obj.kind == "IngressRoute":
        for r, rule in enumerate(obj.spec.get("routes") or []):
            for s, ref in enumerate(rule.get("services") or []):
                if get_or(ref, "kind", "Service") == "Service":
                    yield f"spec.routes[{r}].services[{s}]", ref
    else:
        for s, ref in enumerate(get_or(get_or(obj.spec, "weighted"), "services", [])):
            if get_or(ref, "kind", "Service") == "Service":
                yield f"spec.weighted.services[{s}]", ref
