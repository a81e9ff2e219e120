"""Cases of every smoke check over the healthy environment of smoke_objects, each broken one way.

A case's build takes the World (a CA, and for the http.* checks a site on loopback) and returns the
snapshot and the settings the check runs with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Callable

import trustme

from case import broken, part, sound
from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot
from http_site import Site
from smoke_objects import NOW, NS, endpoint_slice, healthy_snapshot, meta, pod, release_secret, service, tls_secret

DEP = "Deployment/acme/acme-api"
HPA = "HorizontalPodAutoscaler/acme/acme-api"
PDB = "PodDisruptionBudget/acme/acme-api"
ING = "Ingress/acme/acme-api"
CERT = "Secret/acme/acme-api-tls"


@dataclass
class World:
    ca: trustme.CA
    site: Site | None = None  # started only for the http.* checks


Build = Callable[[World], tuple[Snapshot, SmokeSettings]]


def edit(change: Callable[[Snapshot, World], Any] | None = None, **settings: Any) -> Build:
    """The healthy snapshot with `change` applied, and default settings with `settings` replaced."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        snap = healthy_snapshot(world.ca)
        if change is not None:
            change(snap, world)
        return snap, replace(SmokeSettings(), **settings)
    return build


def served(change: Callable[[Snapshot, World], Any] | None = None) -> Build:
    """The healthy snapshot, its API Ingress labelled as the contract says, behind the loopback site."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        assert world.site is not None, "http cases need the site fixture"
        snap = healthy_snapshot(world.ca)
        snap.ingresses[0]["metadata"]["labels"]["app.kubernetes.io/component"] = "api"
        if change is not None:
            change(snap, world)
        return snap, SmokeSettings(data_plane=True, http=world.site.settings)
    return build


def behave(**changes: Any) -> Build:
    return served(lambda s, w: [setattr(w.site.behaviour, k, v) for k, v in changes.items()])


def gateway_env(change: Callable[[Snapshot], Any] | None = None) -> Build:
    """The healthy environment exposed through a Gateway listener instead of an Ingress."""
    def gateway(snap: Snapshot, world: World) -> None:
        snap.ingresses.clear()
        snap.tls_secrets[:] = [tls_secret("edge-tls", world.ca, "api.acme.com")]
        snap.tls_secrets[0]["metadata"]["namespace"] = "traefik"
        snap.gateways = [{"metadata": {"name": "acme-gateway", "namespace": "traefik"}, "spec": {"listeners": [
            {"name": "web", "protocol": "HTTP", "port": 80},
            {"name": "websecure", "protocol": "HTTPS", "port": 443, "hostname": "*.acme.com",
             "tls": {"certificateRefs": [{"kind": "Secret", "name": "edge-tls"}]}}]}}]
        parent = {"name": "acme-gateway", "namespace": "traefik"}
        snap.http_routes = [
            {"metadata": {"name": "acme-api", "namespace": NS}, "spec": {
                "parentRefs": [{**parent, "sectionName": "websecure"}], "hostnames": ["api.acme.com"],
                "rules": [{"backendRefs": [{"name": "acme-api", "port": 80}]}]}},
            {"metadata": {"name": "acme-api-redirect", "namespace": NS}, "spec": {
                "parentRefs": [{**parent, "sectionName": "web"}], "hostnames": ["api.acme.com"],
                "rules": [{"filters": [{"type": "RequestRedirect"}]}]}},
        ]
        if change is not None:
            change(snap)
    return edit(gateway)


def status(**fields: Any) -> Callable[[Snapshot, World], None]:
    return lambda s, w: s.deployments[0]["status"].update(fields)


def container_status(**fields: Any) -> Callable[[Snapshot, World], None]:
    return lambda s, w: s.pods[0]["status"]["containerStatuses"][0].update(fields)


def certificate(*hosts: str, **validity: dt.datetime) -> Callable[[Snapshot, World], None]:
    return lambda s, w: s.tls_secrets.__setitem__(0, tls_secret("acme-api-tls", w.ca, *hosts, **validity))


def recent_pending(snap: Snapshot, world: World) -> None:
    young = pod("acme-api-new", "api", phase="Pending")
    young["metadata"]["creationTimestamp"] = (NOW - dt.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    terminating = pod("acme-api-old", "api", phase="Pending")
    terminating["metadata"]["deletionTimestamp"] = "2026-11-26T06:59:00Z"
    snap.pods += [young, terminating]


def internal_by_label(snap: Snapshot, world: World) -> None:
    external = {"metadata": meta("acme-db-external", **{"app.kubernetes.io/component": "database"}),
                "spec": {"type": "LoadBalancer"}}
    snap.services.append(external)
    snap.endpoint_slices.append(endpoint_slice("acme-db-external"))


def external_name(snap: Snapshot, world: World) -> None:
    snap.services.append({"metadata": meta("acme-mail", **{"app.kubernetes.io/component": "mail"}),
                          "spec": {"type": "ExternalName", "externalName": "smtp.example.com"}})
    unset = endpoint_slice("acme-db")
    del unset["endpoints"][0]["conditions"]  # the API: an unset `ready` means ready
    snap.endpoint_slices[1] = unset


def route_backend(name: str) -> Callable[[Snapshot], None]:
    return lambda s: s.http_routes[0]["spec"]["rules"][0]["backendRefs"][0].update(name=name)


def ingress_backend(name: str) -> Callable[[Snapshot, World], None]:
    return lambda s, w: s.ingresses[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].update(name=name)


CASES = [
    sound("release.deployed", "healthy", edit()),
    sound("release.deployed", "at-the-expected-revision", edit(expected_revisions={"acme-api": 2})),
    broken("release.deployed", "newest-revision-failed",
           edit(lambda s, w: s.release_secrets.append(release_secret("acme-api", 3, "failed", []))),
           ("Release/acme/acme-api", "status", "revision 3 is 'failed', not deployed")),
    broken("release.deployed", "not-installed", edit(lambda s, w: s.release_secrets.pop()),
           ("Release/acme/acme-ui", "status", "release not installed")),
    broken("release.deployed", "pending-upgrade",
           edit(lambda s, w: s.release_secrets.append(release_secret("acme-ui", 2, "pending-upgrade", []))),
           ("Release/acme/acme-ui", "status", "revision 2 is 'pending-upgrade', not deployed")),
    broken("release.deployed", "not-at-the-expected-revision", edit(expected_revisions={"acme-api": 3}),
           ("Release/acme/acme-api", "version", "at revision 2, expected 3")),

    sound("deployment.rolled-out", "healthy", edit()),
    broken("deployment.rolled-out", "released-deployment-missing", edit(lambda s, w: s.deployments.clear()),
           (DEP, "metadata.name", "released Deployment missing from the cluster")),
    broken("deployment.rolled-out", "spec-not-observed", edit(lambda s, w: s.deployments[0]["metadata"].update(generation=2)),
           (DEP, "status.observedGeneration", "controller has not seen the latest spec")),
    broken("deployment.rolled-out", "not-all-updated", edit(status(updatedReplicas=2)),
           (DEP, "status.updatedReplicas", "2/3")),
    broken("deployment.rolled-out", "not-all-available", edit(status(availableReplicas=2)),
           (DEP, "status.availableReplicas", "2/3")),
    broken("deployment.rolled-out", "not-all-ready", edit(status(readyReplicas=2)),
           (DEP, "status.readyReplicas", "2/3")),
    broken("deployment.rolled-out", "old-pods-remain", edit(status(replicas=5)),
           (DEP, "status.replicas", "5 pods for 3 replicas: old pods remain")),
    # The API server omits zero counts, an unset replicas means 1, and a new Deployment has no conditions yet.
    broken("deployment.rolled-out", "zero-available-is-omitted", edit(lambda s, w: s.deployments[0]["status"].pop("availableReplicas")),
           (DEP, "status.availableReplicas", "0/3")),
    sound("deployment.rolled-out", "replicas-unset-means-one",
          edit(lambda s, w: (s.deployments[0]["spec"].pop("replicas"), s.deployments[0]["status"].update(
              replicas=1, updatedReplicas=1, readyReplicas=1, availableReplicas=1)))),
    sound("deployment.rolled-out", "no-conditions-yet", edit(lambda s, w: s.deployments[0]["status"].pop("conditions"))),
    broken("deployment.rolled-out", "progress-deadline-exceeded",
           edit(lambda s, w: s.deployments[0]["status"]["conditions"][0].update(reason="ProgressDeadlineExceeded")),
           (DEP, "status.conditions[Progressing]", "progress deadline exceeded")),

    sound("pod.healthy", "healthy", edit()),
    sound("pod.healthy", "young-pending-and-terminating-pods", edit(recent_pending)),
    sound("pod.healthy", "restarts-at-the-limit", edit(container_status(restartCount=3))),
    broken("pod.healthy", "pending-past-deadline", edit(lambda s, w: s.pods.append(pod("acme-api-x", "api", phase="Pending"))),
           ("Pod/acme/acme-api-x", "status.phase", "Pending for more than 120 s")),
    broken("pod.healthy", "crash-loop-back-off",
           edit(container_status(restartCount=1, state={"waiting": {"reason": "CrashLoopBackOff"}})),
           ("Pod/acme/acme-api-0", "status.containerStatuses[app]", "crash-looping (1 restarts, CrashLoopBackOff)")),
    broken("pod.healthy", "restarts-past-the-limit", edit(container_status(restartCount=4)),
           ("Pod/acme/acme-api-0", "status.containerStatuses[app]", "crash-looping (4 restarts, running)")),

    sound("service.endpoints", "healthy", edit()),
    sound("service.endpoints", "external-name-and-unset-ready", edit(external_name)),
    broken("service.endpoints", "no-ready-endpoint",
           edit(lambda s, w: s.endpoint_slices.__setitem__(0, endpoint_slice("acme-api", False))),
           ("Service/acme/acme-api", "endpoints", "no ready endpoint in any EndpointSlice")),
    broken("service.endpoints", "released-service-missing", edit(lambda s, w: s.services.pop(0)),
           ("Service/acme/acme-api", "metadata.name", "released Service missing from the cluster")),

    sound("exposure.internal", "healthy", edit()),
    sound("exposure.internal", "public-api-load-balancer", edit(lambda s, w: s.services[0]["spec"].update(type="LoadBalancer"))),
    sound("exposure.internal", "gateway", gateway_env()),
    broken("exposure.internal", "database-load-balancer", edit(lambda s, w: s.services[1]["spec"].update(type="LoadBalancer")),
           ("Service/acme/acme-db", "spec.type", "LoadBalancer exposes an internal component")),
    broken("exposure.internal", "metrics-node-port",
           edit(lambda s, w: s.services.append(service("acme-metrics", "metrics", "NodePort"))),
           ("Service/acme/acme-metrics", "spec.type", "NodePort exposes an internal component")),
    broken("exposure.internal", "database-external-ip",
           edit(lambda s, w: s.services[1]["spec"].update(externalIPs=["192.0.2.4"])),
           ("Service/acme/acme-db", "spec.externalIPs", "external IPs expose an internal component")),
    broken("exposure.internal", "internal-by-label-without-selector", edit(internal_by_label),
           ("Service/acme/acme-db-external", "spec.type", "LoadBalancer exposes an internal component")),
    broken("exposure.internal", "ingress-to-database", edit(ingress_backend("acme-db")),
           (ING, "spec.rules.http.paths.backend", "routes to internal Service acme-db")),
    broken("exposure.internal", "ingress-default-backend-to-database",
           edit(lambda s, w: s.ingresses[0]["spec"].update(defaultBackend={"service": {"name": "acme-db"}})),
           (ING, "spec.rules.http.paths.backend", "routes to internal Service acme-db")),
    broken("exposure.internal", "route-to-database", gateway_env(route_backend("acme-db")),
           ("HTTPRoute/acme/acme-api", "spec.rules.backendRefs", "routes to internal Service acme-db")),

    sound("pdb.allows-disruption", "healthy", edit()),
    broken("pdb.allows-disruption", "no-disruption-allowed",
           edit(lambda s, w: s.pdbs[0]["status"].update(disruptionsAllowed=0)),
           (PDB, "status.disruptionsAllowed", "0 allowed (3 healthy, 2 desired): a node drain would block")),
    broken("pdb.allows-disruption", "status-not-written-yet", edit(lambda s, w: s.pdbs[0].pop("status")),
           (PDB, "status.disruptionsAllowed", "0 allowed (0 healthy, 0 desired): a node drain would block")),
    broken("pdb.allows-disruption", "released-pdb-missing", edit(lambda s, w: s.pdbs.clear()),
           (PDB, "metadata.name", "released PodDisruptionBudget missing from the cluster")),

    sound("hpa.bounds", "healthy", edit()),
    sound("hpa.bounds", "replicas-at-the-maximum", edit(lambda s, w: s.deployments[0]["spec"].update(replicas=10))),
    broken("hpa.bounds", "released-hpa-missing", edit(lambda s, w: s.hpas.clear()),
           (HPA, "metadata.name", "released HPA missing from the cluster")),
    broken("hpa.bounds", "max-changed-live", edit(lambda s, w: s.hpas[0]["spec"].update(maxReplicas=4)),
           (HPA, "spec.maxReplicas", "4, released 10")),
    broken("hpa.bounds", "min-changed-live", edit(lambda s, w: s.hpas[0]["spec"].update(minReplicas=2)),
           (HPA, "spec.minReplicas", "2, released 3")),
    # an unset minReplicas is 1, on either side; so is an unset replicas on the Deployment
    broken("hpa.bounds", "min-unset-live", edit(lambda s, w: s.hpas[0]["spec"].pop("minReplicas")),
           (HPA, "spec.minReplicas", "1, released 3")),
    broken("hpa.bounds", "deployment-replicas-unset", edit(lambda s, w: s.deployments[0]["spec"].pop("replicas")),
           (DEP, "spec.replicas", "1 outside [3, 10]")),
    broken("hpa.bounds", "target-missing",
           edit(lambda s, w: s.hpas[0]["spec"]["scaleTargetRef"].update(name="acme-apiv2")),
           (HPA, "spec.scaleTargetRef", "target Deployment not found")),
    broken("hpa.bounds", "replicas-below-min", edit(lambda s, w: s.deployments[0]["spec"].update(replicas=2)),
           (DEP, "spec.replicas", "2 outside [3, 10]")),
    broken("hpa.bounds", "replicas-above-max", edit(lambda s, w: s.deployments[0]["spec"].update(replicas=11)),
           (DEP, "spec.replicas", "11 outside [3, 10]")),

    sound("networkpolicy.in-force", "healthy", edit()),
    sound("networkpolicy.in-force", "policy-types-default-to-ingress",
          edit(lambda s, w: s.network_policies[1]["spec"].pop("policyTypes"))),
    broken("networkpolicy.in-force", "default-deny-removed", edit(lambda s, w: s.network_policies.pop(0)),
           ("NetworkPolicy/acme/acme-default-deny", "metadata.name", "released NetworkPolicy missing from the cluster"),
           ("Pod/acme/acme-db-0", "metadata.labels", "no NetworkPolicy isolates this pod: all ingress allowed")),
    broken("networkpolicy.in-force", "egress-only-policies",
           edit(lambda s, w: [p["spec"].update(policyTypes=["Egress"]) for p in s.network_policies]),
           *[(f"Pod/acme/{name}", "metadata.labels", "no NetworkPolicy isolates this pod: all ingress allowed")
             for name in ("acme-api-0", "acme-api-1", "acme-api-2", "acme-db-0")]),
    broken("networkpolicy.in-force", "selector-matches-other-pods",
           edit(lambda s, w: s.network_policies[0]["spec"].update(podSelector={"matchLabels": {"tier": "web"}})),
           ("Pod/acme/acme-db-0", "metadata.labels", "no NetworkPolicy isolates this pod: all ingress allowed")),

    sound("certificate.valid", "healthy", edit()),
    sound("certificate.valid", "fourteen-days-left", edit(certificate("api.acme.com", not_after=NOW + dt.timedelta(days=14)))),
    sound("certificate.valid", "gateway", gateway_env()),
    broken("certificate.valid", "secret-missing", edit(lambda s, w: s.tls_secrets.clear()),
           (ING, "spec.tls[0].secretName", "TLS Secret 'acme-api-tls' not found")),
    broken("certificate.valid", "no-secret-name", edit(lambda s, w: s.ingresses[0]["spec"]["tls"][0].pop("secretName")),
           (ING, "spec.tls[0].secretName", "TLS Secret None not found")),
    broken("certificate.valid", "host-not-covered", edit(certificate("www.acme.com")),
           (CERT, "data[tls.crt]", "certificate does not cover api.acme.com (SAN: ['www.acme.com'])")),
    broken("certificate.valid", "expires-soon", edit(certificate("api.acme.com", not_after=NOW + dt.timedelta(days=3))),
           (CERT, "data[tls.crt]", "certificate expires in 3.0 days (< 14)")),
    broken("certificate.valid", "not-valid-yet", edit(certificate("api.acme.com", not_before=NOW + dt.timedelta(hours=1))),
           (CERT, "data[tls.crt]", "certificate not valid yet")),
    broken("certificate.valid", "unparsable", edit(lambda s, w: s.tls_secrets[0]["data"].update({"tls.crt": "bm90IGEgY2VydA=="})),
           (CERT, "data[tls.crt]", "no parsable certificate: Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. MalformedFraming")),
    broken("certificate.valid", "gateway-missing", gateway_env(lambda s: s.gateways.clear()),
           ("HTTPRoute/acme/acme-api", "spec.parentRefs", "Gateway traefik/acme-gateway not found"),
           ("HTTPRoute/acme/acme-api-redirect", "spec.parentRefs", "Gateway traefik/acme-gateway not found")),
    broken("certificate.valid", "listener-secret-missing", gateway_env(lambda s: s.tls_secrets.clear()),
           ("Gateway/traefik/acme-gateway", "spec.listeners[websecure].tls", "TLS Secret traefik/edge-tls not found")),
    broken("certificate.valid", "listener-secret-in-another-namespace",
           gateway_env(lambda s: s.tls_secrets[0]["metadata"].update(namespace=NS)),
           ("Gateway/traefik/acme-gateway", "spec.listeners[websecure].tls", "TLS Secret traefik/edge-tls not found")),
    broken("certificate.valid", "host-outside-listener",
           gateway_env(lambda s: s.gateways[0]["spec"]["listeners"][1].update(hostname="*.example.com")),
           ("HTTPRoute/acme/acme-api", "spec.hostnames", "no HTTPS listener of traefik/acme-gateway serves api.acme.com")),
    broken("certificate.valid", "listener-certificate-for-another-host",
           gateway_env(lambda s: s.http_routes[0]["spec"].update(hostnames=["www.acme.com"])),
           ("Secret/traefik/edge-tls", "data[tls.crt]", "certificate does not cover www.acme.com (SAN: ['api.acme.com'])")),

    sound("http.tls", "well-behaved-site", served()),
    broken("http.tls", "host-not-in-certificate",
           served(lambda s, w: s.ingresses[0]["spec"]["rules"][0].update(host="evil.acme.com")),
           ("Host/evil.acme.com", "", part("TLS verification failed for evil.acme.com: "))),
    broken("http.tls", "expired-certificate",
           served(lambda s, w: s.ingresses[0]["spec"]["rules"][0].update(host="expired.acme.com")),
           ("Host/expired.acme.com", "", part("TLS verification failed for expired.acme.com: "))),
    sound("http.redirect", "well-behaved-site", served()),
    broken("http.redirect", "no-redirect-on-any-host", behave(redirect_to=None),
           ("Host/www.acme.com", "", "http://www.acme.com/ answered 200, not a redirect"),
           ("Host/api.acme.com", "", "http://api.acme.com/ answered 200, not a redirect")),
    broken("http.redirect", "redirect-to-plain-http", behave(redirect_to="http://{host}/"),
           ("Host/www.acme.com", "", "http://www.acme.com/ redirects to 'http://www.acme.com/', not https://www.acme.com"),
           ("Host/api.acme.com", "", "http://api.acme.com/ redirects to 'http://api.acme.com/', not https://api.acme.com")),
    sound("http.hsts", "well-behaved-site", served()),
    broken("http.hsts", "no-header", behave(hsts=None),
           ("Host/www.acme.com", "", "https://www.acme.com/ sends no Strict-Transport-Security")),
    broken("http.hsts", "short-max-age", behave(hsts="max-age=300"), ("Host/www.acme.com", "", "HSTS max-age 300 below 15552000")),
    sound("http.static-cache", "well-behaved-site", served()),
    broken("http.static-cache", "index-cached", behave(index_cache="public, max-age=3600"),
           ("Host/www.acme.com", "", "index.html Cache-Control 'public, max-age=3600' lets caches serve a stale page")),
    broken("http.static-cache", "asset-cached-briefly", behave(asset_cache="public, max-age=60"),
           ("Host/www.acme.com", "", "/assets/app.3f9a2c1b.js Cache-Control max-age 60 below 86400")),
    sound("http.api-health", "well-behaved-site", served()),
    broken("http.api-health", "unhealthy", behave(health_status=503),
           ("Host/api.acme.com", "", "https://api.acme.com/healthz/ready answered 503")),
]
