"""HTTPS at the edge: every host covered by TLS, cert-manager wired right, HTTP redirected."""

from __future__ import annotations

from fnmatch import fnmatch

from ...core.fields import get_or
from ..registry import CheckSkipped, check

_ISSUER_KEYS = {"cert-manager.io/cluster-issuer": "ClusterIssuer", "cert-manager.io/issuer": "Issuer"}


def _is_redirect_route(route) -> bool:
    rules = route.spec.get("rules") or [{}]
    return all(any(f.get("type") == "RequestRedirect" and (f.get("requestRedirect") or {}).get("scheme") == "https"
                   for f in rule.get("filters") or []) for rule in rules)


def _host_covered(host: str, patterns: list[str]) -> bool:
    return any(host == p or (p.startswith("*.") and fnmatch(host, p) and host.count(".") == p.count("."))
               for p in patterns)


def hosts(scenario, check):
    for ingress in scenario.manifests.of_kind("Ingress"):
        covered = [h for entry in ingress.spec.get("tls") or [] if entry.get("secretName")
                   for h in entry.get("hosts") or []]
        for index, rule in enumerate(ingress.spec.get("rules") or []):
            host = rule.get("host")
            if not host:
                yield check.finding(ingress, f"spec.rules[{index}].host", "rule without host cannot be covered by TLS")
            elif not _host_covered(host, covered):
                yield check.finding(ingress, "spec.tls", f"host {host} has no tls entry with a secretName")
    for route in scenario.manifests.of_kind("HTTPRoute"):
        if _is_redirect_route(route):
            continue
        hostnames = route.spec.get("hostnames") or []
        if not hostnames:
            yield check.finding(route, "spec.hostnames", "no hostnames: TLS coverage cannot be established")
        for index, parent in enumerate(route.spec.get("parentRefs") or []):
            gateway = scenario.lookup.get("Gateway", str(parent.get("name")), get_or(parent, "namespace", route.namespace))
            if gateway is None:
                continue  # a Gateway owned by the edge controller: its listeners are not ours to read
            listeners = [l for l in gateway.spec.get("listeners") or []
                         if l.get("protocol") == "HTTPS" and (l.get("tls") or {}).get("certificateRefs")
                         and (not parent.get("sectionName") or l.get("name") == parent.get("sectionName"))]
            patterns = [get_or(l, "hostname", "*") for l in listeners]
            for host in hostnames:
                if not any(p == "*" for p in patterns) and not _host_covered(host, patterns):
                    yield check.finding(route, f"spec.parentRefs[{index}]",
                                        f"hostname {host} has no HTTPS listener with a certificate on {gateway.ref}")


check("tls.hosts", "every Ingress host and HTTPRoute hostname is served over TLS", hosts)


def issuer(scenario, check):
    issuers = scenario.lookup.of_kind("ClusterIssuer", "Issuer")
    annotated = [o for o in scenario.manifests.of_kind("Ingress", "Gateway")
                 if any(k in o.annotations for k in _ISSUER_KEYS)]
    if annotated and not issuers:
        raise CheckSkipped("no Issuer or ClusterIssuer rendered (acme-platform not part of this scenario)")
    for obj in annotated:
        for key, kind in _ISSUER_KEYS.items():
            name = obj.annotations.get(key)
            if name is None:
                continue
            namespace = "" if kind == "ClusterIssuer" else obj.namespace
            if scenario.lookup.get(kind, name, namespace) is not None:
                continue
            # the other kind under this name, where this object could use it: then only the key is wrong
            other = next((i for i in issuers if i.name == name and i.kind != kind
                          and (i.kind == "ClusterIssuer" or i.namespace == obj.namespace)), None)
            field = f"metadata.annotations[{key}]"
            if other is not None:
                right = next(k for k, v in _ISSUER_KEYS.items() if v == other.kind)
                yield check.finding(obj, field, f"{name} is a {other.kind}: use annotation {right}")
            else:
                known = sorted(i.name if i.kind == "ClusterIssuer" else f"{i.namespace}/{i.name}" for i in issuers)
                yield check.finding(obj, field, f"no {kind} named {name} is rendered (known: {', '.join(known)})")


check("tls.issuer", "the cert-manager annotation key fits the issuer kind and names an issuer the platform renders",
      issuer)


def redirect(scenario, check):
    known = scenario.settings.redirect_annotations
    for ingress in scenario.manifests.of_kind("Ingress"):
        if not any(_enables_redirect(ingress.annotations.get(k), v) for k, v in known.items()):
            yield check.finding(ingress, "metadata.annotations",
                                f"no HTTP->HTTPS redirect annotation (one of: {', '.join(sorted(known))})")
    routes = scenario.lookup.of_kind("HTTPRoute")
    redirect_hosts = [r.spec.get("hostnames") or ["*"] for r in routes if _is_redirect_route(r)]
    patterns = [h for hosts in redirect_hosts for h in hosts]
    for route in scenario.manifests.of_kind("HTTPRoute"):
        if _is_redirect_route(route):
            continue
        for host in route.spec.get("hostnames") or []:
            if "*" not in patterns and not _host_covered(host, patterns):
                yield check.finding(route, "spec.hostnames",
                                    f"no HTTPRoute redirects http://{host} to https (RequestRedirect scheme https)")


check("tls.redirect", "plain HTTP is redirected to HTTPS (Ingress annotation or HTTPRoute RequestRedirect)", redirect)


def _enables_redirect(value: str | None, expected: str | None) -> bool:
    if value is None:
        return False
    if expected is None:
        return "redirect" in value.lower()
    return value.strip().lower() == expected
