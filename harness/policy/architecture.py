"""The architecture picture of an environment as Mermaid, drawn from its rendered manifests.

Nodes are the components of policy/intended-flows.yaml: Acme components show the workloads
and Ingress/HTTPRoute hosts that render for them, grouped by release; neighbours (edge,
monitoring, DNS) are grouped by namespace. Edges are the flows the rendered NetworkPolicies
allow (harness.policy.flows), so the picture cannot claim a path the policies do not open.
"""

from __future__ import annotations

from collections import defaultdict

from ..core.manifests import Manifests, service_selects
from .flows import FlowSubject, allowed_flows
from .intended import ComponentSpec

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob")


def mermaid(scenario: FlowSubject) -> str:
    if scenario.intended is None:
        raise ValueError("architecture needs the intended-flows contract (policy/intended-flows.yaml)")
    manifests = scenario.manifests
    groups: dict[str, list[str]] = defaultdict(list)  # subgraph title -> node lines
    hosts: list[str] = []
    drawn: set[str] = set()
    for spec in scenario.intended.components:
        if spec.address:  # the internet is drawn as the source of the edge's traffic
            continue
        if spec.rendered:
            workloads = _workloads(manifests, spec)
            external = manifests.get("Service", spec.external_service or "", spec.namespace)
            if workloads:
                component_hosts = _hosts(manifests, [labels for *_, labels in workloads])
                hosts += component_hosts
                detail = [f"{kind} {name}" for _, kind, name, _ in workloads] + component_hosts
                groups[f"release {workloads[0][0]}"].append(_node(spec.name, detail))
            elif external is not None:  # e.g. PostgreSQL in a private subnet, reached through a Service
                groups[f"release {external.release}"].append(_node(spec.name, [f"external, Service {external.name}"]))
            else:
                continue  # switched off in this environment (e.g. no backups locally)
        else:
            groups[f"namespace {spec.namespace}"].append(_node(spec.name, []))
        drawn.add(spec.name)
    lines = ["flowchart LR", '  internet(("internet"))']
    for title in sorted(groups):
        lines.append(f'  subgraph {_ident(title)}["{title}"]')
        lines += [f"    {node}" for node in sorted(groups[title])]
        lines.append("  end")
    if hosts:
        lines.append(f'  internet -->|"HTTPS {", ".join(sorted(set(hosts)))}"| edge')
    for (source, target), ports in allowed_flows(scenario).items():
        if source in drawn and target in drawn:  # probes (stand-in intruders) stay out of the picture
            lines.append(f"  {_ident(source)} -->|{' '.join(ports)}| {_ident(target)}")
    return "\n".join(lines) + "\n"


def _workloads(manifests: Manifests, spec: ComponentSpec) -> list[tuple[str, str, str, dict[str, str]]]:
    """(release, kind, name, pod labels) of every workload whose pods carry the component's labels."""
    wanted = dict(spec.pod_labels)
    found = {}
    for template in manifests.pod_templates():
        owner = template.owner
        if owner.kind in WORKLOAD_KINDS and all(template.labels.get(k) == v for k, v in wanted.items()):
            found[(owner.release, owner.kind, owner.name)] = template.labels
    return [(*key, found[key]) for key in sorted(found)]


def _hosts(manifests: Manifests, pod_labels: list[dict[str, str]]) -> list[str]:
    """Hosts of the Ingresses/HTTPRoutes whose backends are Services selecting these pods."""
    services = {s.name for s in manifests.of_kind("Service")
                if any(service_selects(s.spec.get("selector"), labels) for labels in pod_labels)}
    hosts = set()
    for ingress in manifests.of_kind("Ingress"):
        for rule in ingress.spec.get("rules") or []:
            backends = {p.get("backend", {}).get("service", {}).get("name")
                        for p in (rule.get("http") or {}).get("paths") or []}
            if rule.get("host") and backends & services:
                hosts.add(rule["host"])
    for route in manifests.of_kind("HTTPRoute"):
        backends = {ref.get("name") for rule in route.spec.get("rules") or [] for ref in rule.get("backendRefs") or []}
        if backends & services:
            hosts.update(route.spec.get("hostnames") or [])
    return sorted(hosts)


def _node(name: str, detail: list[str]) -> str:
    label = "<br/>".join([f"<b>{name}</b>", *detail])
    return f'{_ident(name)}["{label}"]'


def _ident(name: str) -> str:
    """Mermaid ids: letters, digits and underscores only."""
    return "".join(c if c.isalnum() else "_" for c in name)
