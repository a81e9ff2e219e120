"""Cross-release contracts (docs/contract.md): names, ports and Secrets that releases share."""

from __future__ import annotations

from urllib.parse import urlsplit

from ...core.fields import get_or, is_set
from ...core.manifests import CLUSTER_SCOPED, ObjectRef, service_selects
from ..registry import CheckSkipped, Needs, check
from .isolation import ingress_backends, route_backends

_DEFAULT_PORTS = {"http": 80, "https": 443}
API_COMPONENT = "api"
REQUIRED_API_ENV = ("POSTGRES_URL", "METRICS_URL")


def _selected_ports(service, lookup):
    """Container ports of the pods a Service selects (by number and by name)."""
    ports = []
    for template in lookup.pod_templates():
        if template.owner.namespace == service.namespace and service_selects(service.spec.get("selector"), template.labels):
            ports += [p for c, _ in template.containers(include_init=False) for p in c.get("ports") or []]
    return ports


def namespace(scenario, check):
    for obj in scenario.manifests:
        if obj.kind not in CLUSTER_SCOPED and not obj.metadata.get("namespace"):
            yield check.finding(obj, "metadata.namespace", f"not set; the release namespace is {obj.default_namespace}")


check("contracts.namespace", "every namespaced object names its namespace (helm template | kubectl apply and "
      "GitOps renderers otherwise put it in whatever namespace is current)", namespace)


def service_ports(scenario, check):
    for service in scenario.manifests.of_kind("Service"):
        if not service.spec.get("selector"):
            continue  # selector-less: endpoints are managed by hand (external database)
        ports = _selected_ports(service, scenario.lookup)
        if not ports:
            yield check.finding(service, "spec.selector", "selects no rendered pod")
            continue
        for index, port in enumerate(service.spec.get("ports") or []):
            target = get_or(port, "targetPort", get_or(port, "port"))
            ok = any(p.get("name") == target for p in ports) if isinstance(target, str) else \
                any(p.get("containerPort") == target for p in ports)
            if not ok:
                yield check.finding(service, f"spec.ports[{index}].targetPort",
                                    f"{target!r} is not a container port of the selected pods")


check("contracts.service-ports", "each Service targetPort is a port of the pods it selects", service_ports)


def _service_has_port(service, number=None, name=None) -> bool:
    return any((number is not None and p.get("port") == number) or (name is not None and p.get("name") == name)
               for p in service.spec.get("ports") or [])


def backends(scenario, check):
    for ingress in scenario.manifests.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            service = scenario.lookup.get("Service", str(backend.get("name")), ingress.namespace)
            port = backend.get("port") or {}
            if service is None:
                yield check.finding(ingress, f"{path}.name", f"Service {backend.get('name')} is not rendered")
            elif not _service_has_port(service, port.get("number"), port.get("name")):
                yield check.finding(ingress, f"{path}.port", f"Service {service.name} has no port {port}")
    for route in scenario.manifests.of_kind("HTTPRoute"):
        for path, ref in route_backends(route):
            service = scenario.lookup.get("Service", str(ref.get("name")), get_or(ref, "namespace", route.namespace))
            if service is None:
                yield check.finding(route, f"{path}.name", f"Service {ref.get('name')} is not rendered")
            elif not _service_has_port(service, number=ref.get("port")):
                yield check.finding(route, f"{path}.port", f"Service {service.name} has no port {ref.get('port')}")


check("contracts.backends", "Ingress and HTTPRoute backends name an existing Service and one of its ports", backends)


def api_containers(scenario):
    for template in scenario.manifests.pod_templates():
        if template.labels.get("app.kubernetes.io/component") == API_COMPONENT:
            for container, path in template.containers(include_init=False):
                yield template, container, path


def _env(container, name):
    for index, entry in enumerate(container.get("env") or []):
        if entry.get("name") == name:
            return index, entry
    return None, None


def _declared_external(values_layers, secret_name: str) -> bool:
    """True when a values layer names this Secret under an `existingSecret` key (an explicit external Secret)."""
    stack = list(values_layers)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("existingSecret") == secret_name:
                return True
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return False


def postgres_url(scenario, check):
    for template, container, path in api_containers(scenario):
        index, entry = _env(container, "POSTGRES_URL")
        if entry is None:
            yield check.finding(template.owner, f"{path}.env", "POSTGRES_URL is not set")
            continue
        field = f"{path}.env[{index}]"
        ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
        if ref is None:
            yield check.finding(template.owner, field, "POSTGRES_URL must come from a secretKeyRef, not a literal")
            continue
        secret = scenario.lookup.get("Secret", str(ref.get("name")), template.owner.namespace)
        if secret is None:
            if not _declared_external(scenario.values, ref.get("name")):
                yield check.finding(template.owner, f"{field}.valueFrom.secretKeyRef.name",
                                    f"Secret {ref.get('name')} is neither rendered nor declared as existingSecret")
            continue
        keys = set(secret.doc.get("data") or {}) | set(secret.doc.get("stringData") or {})
        if ref.get("key") not in keys:
            yield check.finding(template.owner, f"{field}.valueFrom.secretKeyRef.key",
                                f"Secret {secret.name} has no key {ref.get('key')} (has: {', '.join(sorted(keys))})")


check("contracts.postgres-url", "POSTGRES_URL comes from a Secret and key that acme-platform renders (or an existingSecret)",
      postgres_url)


def metrics_url(scenario, check):
    for template, container, path in api_containers(scenario):
        index, entry = _env(container, "METRICS_URL")
        if entry is None:
            yield check.finding(template.owner, f"{path}.env", "METRICS_URL is not set")
            continue
        field = f"{path}.env[{index}].value"
        url = _literal_or_configmap(entry, scenario.lookup, template.owner.namespace)
        if url is None:
            yield check.finding(template.owner, field, "METRICS_URL has no resolvable value")
            continue
        parts = urlsplit(url)
        if not parts.hostname:
            # without "//" there is no host: urlsplit reads "acme-metrics:80" as a scheme and a path
            yield check.finding(template.owner, field, f"{url}: names no host (want http://SERVICE[.NAMESPACE]:PORT)")
            continue
        labels = parts.hostname.split(".")
        name, namespace = labels[0], labels[1] if len(labels) > 1 else template.owner.namespace
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        service = scenario.lookup.get("Service", name, namespace)
        if service is None:
            yield check.finding(template.owner, field, f"{url}: Service {namespace}/{name} is not rendered")
        elif not _service_has_port(service, number=port):
            yield check.finding(template.owner, field, f"{url}: Service {name} has no port {port}")


check("contracts.metrics-url", "METRICS_URL points at a Service and port that acme-platform renders", metrics_url)


def _literal_or_configmap(entry, lookup, namespace):
    if is_set(entry, "value"):
        return str(entry["value"])
    ref = (entry.get("valueFrom") or {}).get("configMapKeyRef")
    if ref:
        config = lookup.get("ConfigMap", str(ref.get("name")), namespace)
        return ((config.doc.get("data") or {}) if config else {}).get(ref.get("key"))
    return None


def _release_dependencies(scenario):
    """release -> releases whose objects it references (Secrets, Services, issuers)."""
    owners = {(o.kind, o.namespace, o.name): o.release for o in scenario.manifests}
    edges = {}
    for template in scenario.manifests.pod_templates():
        release = template.owner.release
        for container, _ in template.containers():
            for entry in container.get("env") or []:
                ref = (entry.get("valueFrom") or {}).get("secretKeyRef") or {}
                target = owners.get(("Secret", template.owner.namespace, ref.get("name")))
                if target:
                    edges.setdefault(release, set()).add(target)
                if entry.get("name") == "METRICS_URL" and is_set(entry, "value"):
                    host = (urlsplit(str(entry["value"])).hostname or "").split(".")
                    target = owners.get(("Service", host[1] if len(host) > 1 else template.owner.namespace, host[0]))
                    if target:
                        edges.setdefault(release, set()).add(target)
    for obj in scenario.manifests.of_kind("Ingress", "Gateway"):
        name = obj.annotations.get("cert-manager.io/cluster-issuer")
        target = owners.get(("ClusterIssuer", "", name))
        if target:
            edges.setdefault(obj.release, set()).add(target)
    return {r: deps - {r} for r, deps in edges.items()}


def needs(scenario, check):
    state = scenario.helmfile
    if state is None or not state.from_helmfile:
        raise CheckSkipped("no helmfile.yaml: release ordering cannot be checked")
    declared = {r.name: set(r.needs) for r in state.releases}

    def reachable(start):
        seen, stack = set(), [start]
        while stack:
            for nxt in declared.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    for release, deps in sorted(_release_dependencies(scenario).items()):
        for dep in sorted(deps - reachable(release)):
            yield check.finding(ObjectRef("HelmfileRelease", "", release), f"releases[{release}].needs",
                                f"{release} uses objects of {dep} but does not need it")


check("contracts.needs", "helmfile `needs:` orders every release after the releases it depends on",
      needs, needs=Needs.ENVIRONMENT)
