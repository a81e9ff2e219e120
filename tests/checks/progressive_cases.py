"""Cases of the progressive family: canary and blue-green releases of acme-api, each broken in one place.

The sound releases have the shapes the charts render: the primary track keeps the rolling names and
selectors, the second track (`acme-api-canary`, `acme-api-green`) has instance `acme-api-<track>` and
`acme.com/track`, and every track has its own Service, HPA, PDB and NetworkPolicy.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import factories as f
from case import broken, sound
from harness.render.scenario import Scenario

Doc = dict[str, Any]
API = "Deployment/acme/acme-api"
CANARY = "Deployment/acme/acme-api-canary"
GREEN = "Deployment/acme/acme-api-green"
SVC = "Service/acme/acme-api"
ROUTE = "HTTPRoute/acme/acme-api"
WEIGHTED = "TraefikService/acme/acme-api"
PDB = "PodDisruptionBudget/acme/acme-api"
PREVIEW = "Ingress/acme/acme-api-preview"
PREVIEW_ROUTE = "HTTPRoute/acme/acme-api-preview"
EGRESS_TO_DB = [{"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "database"}}}],
                 "ports": [{"port": 5432, "protocol": "TCP"}]}]


def selector(track: str | None) -> Doc:
    """Selector labels of the primary track (None) or of a second track."""
    labels = {k: v for k, v in f.labels("api").items() if k != "app.kubernetes.io/part-of"}
    if track is not None:
        labels["app.kubernetes.io/instance"] = f"acme-api-{track}"
        labels["acme.com/track"] = track
    return labels


def deployment(track: str | None, replicas: int | None = None, pod_labels: Doc | None = None) -> Doc:
    doc = f.deployment("api", replicas=replicas)
    if track is not None:
        doc["metadata"]["name"] = f"acme-api-{track}"
    doc["spec"]["selector"] = {"matchLabels": selector(track)}
    doc["spec"]["template"]["metadata"]["labels"] = pod_labels or {**f.labels("api"), **selector(track)}
    return doc


def _named(doc: Doc, track: str | None) -> Doc:
    if track is not None:
        doc["metadata"]["name"] = f"acme-api-{track}"
    return doc


def service(track: str | None, labels: Doc | None = None) -> Doc:
    doc = _named(f.service("api"), track)
    doc["spec"]["selector"] = labels or selector(track)
    return doc


def hpa(track: str | None, low: int = 1, high: int = 2) -> Doc:
    doc = _named(f.hpa("api", low=low, high=high), track)
    doc["spec"]["scaleTargetRef"]["name"] = doc["metadata"]["name"]
    return doc


def pdb(track: str | None, labels: Doc | None = None) -> Doc:
    doc = _named(f.pdb("api"), track)
    doc["spec"]["selector"] = {"matchLabels": labels or selector(track)}
    return doc


def policy(track: str | None, egress: list | None = None) -> Doc:
    return f.network_policy(f"acme-api-{track}" if track else "acme-api", {"matchLabels": selector(track)},
                            ingress=[{"from": [{"namespaceSelector": {"matchLabels": {
                                "kubernetes.io/metadata.name": "traefik"}}}], "ports": [{"port": 8080}]}],
                            egress=egress if egress is not None else copy.deepcopy(EGRESS_TO_DB),
                            types=["Ingress", "Egress"])


def weighted_route(stable: Any = 90, canary: Any = 10) -> Doc:
    route = f.httproute("acme-api", ["api.acme.com"])
    route["spec"]["rules"][0]["backendRefs"] = [{"name": "acme-api", "port": 80, "weight": stable},
                                                {"name": "acme-api-canary", "port": 80, "weight": canary}]
    return route


def traefik_service(stable: Any = 90, canary: Any = 10, backend: str = "acme-api-canary") -> Doc:
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
            "metadata": {"name": "acme-api", "namespace": "acme"},
            "spec": {"weighted": {"services": [
                {"name": "acme-api", "namespace": "acme", "port": 80, "weight": stable},
                {"name": backend, "namespace": "acme", "port": 80, "weight": canary}]}}}


def ingress_route() -> Doc:
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": "acme-api", "namespace": "acme"},
            "spec": {"entryPoints": ["websecure"], "routes": [{
                "kind": "Rule", "match": "(Host(`api.acme.com`)) && PathPrefix(`/`)", "priority": 10000,
                "services": [{"name": "acme-api", "namespace": "acme", "kind": "TraefikService"}]}],
                "tls": {"secretName": "acme-api-tls"}}}


def _scenario(defaults: list[Doc], docs: tuple[Doc, ...], without: tuple[tuple[str, str], ...]) -> Scenario:
    objects = {(d["kind"], d["metadata"]["name"]): d for d in defaults}
    for key in without:
        objects.pop(key)
    for doc in docs:
        objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return f.scenario(*objects.values())


def canary(*docs: Doc, without: tuple[tuple[str, str], ...] = ()) -> Scenario:
    """A 90/10 canary on both edges (HTTPRoute and Traefik), `docs` replacing by kind and name."""
    return _scenario([deployment(None), deployment("canary"), service(None), service("canary"), hpa(None, 3, 4),
                      hpa("canary"), pdb(None), pdb("canary"), policy(None), policy("canary"), weighted_route(),
                      traefik_service(), ingress_route()], docs, without)


def preview_ingress(host: str = "preview-api.acme.com", backend: str = "acme-api") -> Doc:
    doc = f.ingress(host=host, backend=backend)
    doc["metadata"]["name"] = "acme-api-preview"
    doc["metadata"]["labels"] = {**f.labels("api"), "acme.com/route": "preview"}
    return doc


def public_ingress(backend: str = "acme-api-green") -> Doc:
    doc = f.ingress(backend=backend)
    doc["metadata"]["name"] = "acme-api"
    doc["metadata"]["labels"] = f.labels("api")
    return doc


def blue_green(*docs: Doc, without: tuple[tuple[str, str], ...] = ()) -> Scenario:
    """Green public, blue on the preview host, `docs` replacing by kind and name."""
    return _scenario([deployment(None), deployment("green"), service(None), service("green"), hpa(None, 3, 5),
                      hpa("green", 3, 5), pdb(None), pdb("green"), policy(None), policy("green"), public_ingress(),
                      preview_ingress()], docs, without)


def _labelled(doc: Doc, **labels: str) -> Doc:
    doc["metadata"]["labels"] = {**f.labels("api"), **labels}
    return doc


CASES = [
    broken("progressive.weights", "sum-not-100", lambda: canary(weighted_route(90, 20)),
           (ROUTE, "spec.rules[0].backendRefs", "weights sum to 110, not 100")),
    broken("progressive.weights", "not-an-integer", lambda: canary(traefik_service(90, "10")),
           (WEIGHTED, "spec.weighted.services[1].weight", "weight '10' is not an integer")),
    broken("progressive.weights", "omitted-weight-counts-one",
           lambda: canary(weighted_route(90, 10), _drop_weight(weighted_route(), 1)),
           (ROUTE, "spec.rules[0].backendRefs", "weights sum to 91, not 100")),
    broken("progressive.weights", "weight-to-parked-canary",
           lambda: canary(deployment("canary", replicas=0), without=(("HorizontalPodAutoscaler", "acme-api-canary"),)),
           (ROUTE, "spec.rules[0].backendRefs[1]", f"weight 10 to {CANARY}, which runs 0 replicas (spec.replicas)"),
           (WEIGHTED, "spec.weighted.services[1]", f"weight 10 to {CANARY}, which runs 0 replicas (spec.replicas)")),
    broken("progressive.weights", "weight-to-missing-service", lambda: canary(traefik_service(backend="acme-api-next")),
           (WEIGHTED, "spec.weighted.services[1]", "weight 10 to Service acme-api-next, which is not rendered")),
    broken("progressive.weights", "weight-to-service-without-pods",
           lambda: canary(service("canary", labels={"app.kubernetes.io/instance": "gone"})),
           (ROUTE, "spec.rules[0].backendRefs[1]", "weight 10 to Service acme-api-canary, which selects no rendered workload"),
           (WEIGHTED, "spec.weighted.services[1]", "weight 10 to Service acme-api-canary, which selects no rendered workload")),
    sound("progressive.weights", "services-of-the-same-name-elsewhere",
          lambda: _first(_in_namespace(service("canary"), "staging"), canary())),
    sound("progressive.weights", "canary-at-10", canary),
    # every entry is read, whatever the ones before it were; only Services are looked up
    broken("progressive.weights", "each-entry-its-own-problem",
           lambda: canary(_weights({"name": "acme-api", "weight": "x"}, {"name": "acme-api-next", "weight": 0},
                                   {"name": "acme-api-gone", "weight": 1}, {"name": "acme-api-lost", "weight": 99})),
           (WEIGHTED, "spec.weighted.services[0].weight", "weight 'x' is not an integer"),
           (WEIGHTED, "spec.weighted.services[2]", "weight 1 to Service acme-api-gone, which is not rendered"),
           (WEIGHTED, "spec.weighted.services[3]", "weight 99 to Service acme-api-lost, which is not rendered")),
    broken("progressive.weights", "traefik-sum-not-100", lambda: canary(traefik_service(90, 20)),
           (WEIGHTED, "spec.weighted.services", "weights sum to 110, not 100")),
    broken("progressive.weights", "traefik-omitted-weight-counts-one",
           lambda: canary(_weights({"name": "acme-api", "weight": 90}, {"name": "acme-api-canary"})),
           (WEIGHTED, "spec.weighted.services", "weights sum to 91, not 100")),
    broken("progressive.weights", "one-backend-with-a-weight",
           lambda: canary(weighted_route() | {"spec": {**weighted_route()["spec"], "rules": [{"backendRefs": [
               {"name": "acme-api", "port": 80, "weight": 90}]}]}}),
           (ROUTE, "spec.rules[0].backendRefs", "weights sum to 90, not 100")),
    broken("progressive.weights", "two-backends-without-weights",
           lambda: canary(weighted_route() | {"spec": {**weighted_route()["spec"], "rules": [{"backendRefs": [
               {"name": "acme-api", "port": 80}, {"name": "acme-api-canary", "port": 80}]}]}}),
           (ROUTE, "spec.rules[0].backendRefs", "weights sum to 2, not 100")),
    sound("progressive.weights", "weight-to-backends-that-are-not-services",
          lambda: canary(weighted_route() | {"spec": {**weighted_route()["spec"], "rules": [{"backendRefs": [
              {"name": "acme-api", "port": 80, "weight": 90}, {"name": "other", "kind": "Backend", "weight": 10}]}]}},
                         _weights({"name": "acme-api", "weight": 90}, {"name": "other", "kind": "TraefikService", "weight": 10}))),
    sound("progressive.weights", "parked-canary-without-weight",
          lambda: canary(deployment("canary", replicas=0), weighted_route(100, 0), traefik_service(100, 0),
                         without=(("HorizontalPodAutoscaler", "acme-api-canary"),))),
    sound("progressive.weights", "one-unweighted-backend",
          lambda: canary(f.httproute("acme-api", ["api.acme.com"]),
                         without=(("TraefikService", "acme-api"), ("IngressRoute", "acme-api")))),

    broken("progressive.track-selectors", "service-selects-both-tracks",
           lambda: canary(service(None, labels={"app.kubernetes.io/component": "api"})),
           (SVC, "spec.selector", f"selects the pods of {API} and {CANARY}: one Service must reach one track")),
    broken("progressive.track-selectors", "canary-keeps-the-stable-instance",
           lambda: canary(_same_instance(deployment("canary"))),
           (API, "spec.selector", f"also matches the pods of {CANARY}: its controller and HPA would count them"),
           (SVC, "spec.selector", f"selects the pods of {API} and {CANARY}: one Service must reach one track")),
    sound("progressive.track-selectors", "canary", canary),
    sound("progressive.track-selectors", "blue-green", blue_green),

    broken("progressive.preview", "preview-host-is-public", lambda: blue_green(preview_ingress(host="api.acme.com")),
           (PREVIEW, "spec.rules[0].host", "preview host api.acme.com is also a public host")),
    broken("progressive.preview", "preview-reaches-the-active-colour",
           lambda: blue_green(preview_ingress(backend="acme-api-green")),
           (PREVIEW, "spec", f"reaches {GREEN} through Service acme-api-green, which the public routes reach too: the "
                             f"preview must reach the idle colour")),
    broken("progressive.preview", "preview-reaches-a-weighted-track",
           lambda: canary(_labelled(f.httproute("acme-api-preview", ["preview-api.acme.com"], backend="acme-api-canary"),
                                    **{"acme.com/route": "preview"}),
                          _labelled(ingress_route())),
           (PREVIEW_ROUTE, "spec", f"reaches {CANARY} through Service acme-api-canary, which the public routes reach "
                                   f"too: the preview must reach the idle colour")),
    sound("progressive.preview", "blue-green", blue_green),
    # an IngressRoute's plain Services count, and the weighted services of the TraefikServices it names
    broken("progressive.preview", "preview-ingress-route-reaches-the-active-colour",
           lambda: blue_green(_preview_ingress_route({"name": "acme-api-green", "port": 80},
                                                     {"name": "acme-api-unrendered", "kind": "TraefikService"},
                                                     {"name": "acme-api-mirror", "kind": "TraefikService"}),
                              MIRROR, without=(("Ingress", "acme-api-preview"),)),
           ("IngressRoute/acme/acme-api-preview", "spec", f"reaches {GREEN} through Service acme-api-green, which the public "
                                                          f"routes reach too: the preview must reach the idle colour")),
    # a weighted TraefikService is followed only to its Service entries, and only in the route's namespace
    sound("progressive.preview", "preview-weighted-entries-that-are-not-services-or-elsewhere",
          lambda: blue_green(_preview_ingress_route({"name": "acme-api-split", "kind": "TraefikService"},
                                                    {"name": "acme-api-other", "kind": "TraefikService"}),
                             _weighted_service("acme-api-split", {"name": "acme-api", "weight": 100},
                                               {"name": "acme-api-green", "kind": "TraefikService", "weight": 0}),
                             _in_namespace(_weighted_service("acme-api-other", {"name": "acme-api-green", "weight": 100}), "staging"),
                             without=(("Ingress", "acme-api-preview"),))),
    broken("progressive.preview", "preview-route-host-is-public",
           lambda: blue_green(_labelled(f.httproute("acme-api-preview", ["preview-api.acme.com", "api.acme.com"], backend="acme-api"),
                                        **{"acme.com/route": "preview"}),
                              without=(("Ingress", "acme-api-preview"),)),
           (PREVIEW_ROUTE, "spec.hostnames[1]", "preview host api.acme.com is also a public host")),
    # Services are the route's namespace's, whatever another namespace names the same
    broken("progressive.preview", "services-looked-up-in-the-route-namespace",
           lambda: _first(_in_namespace(service("green"), "staging"), blue_green(preview_ingress(backend="acme-api-green"))),
           (PREVIEW, "spec", f"reaches {GREEN} through Service acme-api-green, which the public routes reach too: the "
                             f"preview must reach the idle colour")),
    sound("progressive.preview", "preview-to-an-unrendered-service", lambda: blue_green(preview_ingress(backend="acme-api-nothing"))),
    sound("progressive.preview", "public-host-of-another-component",
          lambda: blue_green(_labelled(public_ingress("acme-api-green") | {"metadata": {"name": "acme-ui", "namespace": "acme"}},
                                       **{"app.kubernetes.io/component": "ui"}) | {"spec": preview_ingress()["spec"]})),
    sound("progressive.preview", "blue-public", lambda: blue_green(public_ingress("acme-api"),
                                                                   preview_ingress(backend="acme-api-green"))),

    broken("progressive.track-coverage", "canary-without-hpa",
           lambda: canary(without=(("HorizontalPodAutoscaler", "acme-api-canary"),)),
           (CANARY, "spec", f"no HorizontalPodAutoscaler scales this track, while {API} has one")),
    broken("progressive.track-coverage", "green-without-pdb",
           lambda: blue_green(without=(("PodDisruptionBudget", "acme-api-green"),)),
           (GREEN, "spec", f"no PodDisruptionBudget covers this track's pods, while {API} has one")),
    broken("progressive.track-coverage", "one-pdb-for-both-tracks",
           lambda: canary(pdb(None, labels={"app.kubernetes.io/component": "api"}),
                          without=(("PodDisruptionBudget", "acme-api-canary"),)),
           (PDB, "spec.selector", f"covers the pods of {API} and {CANARY}: a drain could take one track's last pod "
                                  f"while counting the other's")),
    broken("progressive.track-coverage", "one-pdb-for-both-tracks-and-its-namesake-elsewhere",
           lambda: _first(_in_namespace(pdb(None), "staging"),
                          canary(pdb(None, labels={"app.kubernetes.io/component": "api"}),
                                 without=(("PodDisruptionBudget", "acme-api-canary"),))),
           (PDB, "spec.selector", f"covers the pods of {API} and {CANARY}: a drain could take one track's last pod "
                                  f"while counting the other's")),
    sound("progressive.track-coverage", "a-workload-without-pod-labels", lambda: canary(_unlabelled(f.deployment("worker")))),
    sound("progressive.track-coverage", "canary", canary),
    sound("progressive.track-coverage", "fixed-replicas-on-both",
          lambda: canary(deployment(None, replicas=3), deployment("canary", replicas=1),
                         without=(("HorizontalPodAutoscaler", "acme-api"), ("HorizontalPodAutoscaler", "acme-api-canary")))),

    broken("progressive.track-policies", "canary-without-policy",
           lambda: canary(without=(("NetworkPolicy", "acme-api-canary"),)),
           (CANARY, "spec.template.metadata.labels", f"no NetworkPolicy selects this track's pods, while {API}'s are "
                                                     f"isolated")),
    broken("progressive.track-policies", "canary-with-other-rules",
           lambda: canary(policy("canary", egress=[*EGRESS_TO_DB, {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])),
           (CANARY, "spec.template.metadata.labels", f"the NetworkPolicies selecting this track's pods differ from "
                                                     f"those of {API}: every track must be isolated alike")),
    sound("progressive.track-policies", "canary", canary),
    broken("progressive.track-policies", "canary-with-other-policy-types",
           lambda: canary(policy("canary") | {"spec": {**policy("canary")["spec"], "policyTypes": ["Ingress"]}}),
           (CANARY, "spec.template.metadata.labels", f"the NetworkPolicies selecting this track's pods differ from "
                                                     f"those of {API}: every track must be isolated alike")),
    broken("progressive.track-policies", "canary-with-other-ingress",
           lambda: canary(policy("canary") | {"spec": {**policy("canary")["spec"], "ingress": []}}),
           (CANARY, "spec.template.metadata.labels", f"the NetworkPolicies selecting this track's pods differ from "
                                                     f"those of {API}: every track must be isolated alike")),
    sound("progressive.track-policies", "same-rules-written-in-another-order",
          lambda: canary(_reordered(policy("canary")))),
    sound("progressive.track-policies", "blue-green", blue_green),
]


MIRROR = {"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService", "metadata": {"name": "acme-api-mirror", "namespace": "acme"},
          "spec": {"mirroring": {"name": "acme-api", "port": 80}}}


def _weighted_service(name: str, *entries: Doc) -> Doc:
    doc = traefik_service()
    doc["metadata"]["name"] = name
    doc["spec"]["weighted"]["services"] = list(entries)
    return doc


def _in_namespace(doc: Doc, namespace: str) -> Doc:
    doc["metadata"]["namespace"] = namespace
    return doc


def _first(doc: Doc, scenario: Scenario) -> Scenario:
    """The scenario with `doc` rendered before everything else (a lookup by name alone would find it first)."""
    return dataclasses.replace(scenario, manifests=f.manifests(doc).merged(scenario.manifests))


def _unlabelled(doc: Doc) -> Doc:
    doc["spec"]["template"]["metadata"] = {}
    return doc


def _weights(*entries: Doc) -> Doc:
    doc = traefik_service()
    doc["spec"]["weighted"]["services"] = list(entries)
    return doc


def _preview_ingress_route(*services: Doc) -> Doc:
    doc = _labelled(ingress_route(), **{"acme.com/route": "preview"})
    doc["metadata"]["name"] = "acme-api-preview"
    doc["spec"]["routes"][0]["services"] = list(services)
    return doc


def _reordered(doc: Doc) -> Doc:
    """The same policy with every rule's keys in reverse order (JSON objects have no order)."""
    for direction in ("ingress", "egress"):
        doc["spec"][direction] = [dict(reversed(list(rule.items()))) for rule in doc["spec"][direction]]
    return doc


def _drop_weight(route: Doc, index: int) -> Doc:
    del route["spec"]["rules"][0]["backendRefs"][index]["weight"]
    return route


def _same_instance(doc: Doc) -> Doc:
    """A canary whose pods and selector keep the stable instance label (only acme.com/track differs)."""
    labels = {**selector(None), "acme.com/track": "canary"}
    doc["spec"]["selector"] = {"matchLabels": labels}
    doc["spec"]["template"]["metadata"]["labels"] = {**f.labels("api"), **labels}
    return doc
