"""Cases of every smoke check over the healthy environment of smoke_objects, each broken one way.

A case's build takes the World (a CA; for the http.* checks a site on loopback, for the observability.*
checks a stand-in Prometheus, for logs-shipped the site and a stand-in log store) and returns the
snapshot and the settings the check runs with.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Callable

import trustme

from case import broken, part, sound
from harness.live.releases import Revision
from harness.live.settings import ObservabilitySettings, SmokeSettings
from harness.live.snapshot import Obj, Snapshot
from harness.live.wire import WireMatrix, WireRow
from http_site import Site
from logs_site import Answers as LogAnswers, FakeLogStore
from prometheus_site import FakePrometheus, free_address, group, rule, target
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
    prometheus: FakePrometheus | None = None  # started only for the observability.* checks
    logs: FakeLogStore | None = None  # started only for observability.logs-shipped


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


def aged(obj: dict, seconds: int) -> dict:
    obj["metadata"]["creationTimestamp"] = (NOW - dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return obj


def terminating(obj: dict) -> dict:
    obj["metadata"]["deletionTimestamp"] = "2026-11-26T06:59:00Z"
    return obj


def rerelease(snap: Snapshot, change: Callable[[list[dict]], list[dict]]) -> None:
    """acme-api's deployed revision again, its manifest changed by `change`."""
    index, secret = next((i, s) for i, s in enumerate(snap.release_secrets)
                         if s["metadata"]["labels"]["name"] == "acme-api" and s["metadata"]["labels"]["status"] == "deployed")
    docs = Revision("acme-api", 2, "deployed", secret).manifest()
    snap.release_secrets[index] = release_secret("acme-api", 2, "deployed", change(docs))


def unset_min(hpa: dict) -> dict:
    hpa["spec"].pop("minReplicas")
    return hpa


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


MONITOR = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "acme-api"},
           "spec": {"namespaceSelector": {"matchNames": [NS]},
                    "selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                    "endpoints": [{"port": "metrics", "path": "/metrics"}]}}
RULES = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "acme-api"},
         "spec": {"groups": [{"name": "acme-api", "rules": [{"alert": "AcmeApiDown", "expr": "up == 0"},
                                                            {"record": "acme:requests:rate5m", "expr": "vector(1)"}]},
                             {"name": "acme-workloads", "rules": [{"alert": "AcmePodRestarting", "expr": "vector(1)"}]}]}}
POOL = "serviceMonitor/acme/acme-api/0"
ADDRESSES = [f"10.0.0.{i + 1}:9090" for i in range(3)]  # the three API pods' metrics ports
SM, PR = "ServiceMonitor/acme/acme-api", "PrometheusRule/acme/acme-api"


def observed(change: Callable[[Snapshot, World], Any] | None = None,
             released: Callable[[list[Obj]], Any] | None = None) -> Build:
    """The healthy snapshot with the API's ServiceMonitor and PrometheusRule released (edited by
    `released` first), the API pods behind its metrics port, and a Prometheus that scrapes them all
    and evaluates every rule."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        assert world.prometheus is not None, "observability cases need the prometheus_site fixture"
        snap = healthy_snapshot(world.ca)
        docs = [copy.deepcopy(MONITOR), copy.deepcopy(RULES)]
        if released is not None:
            released(docs)
        snap.release_secrets[0] = release_secret("acme-platform", 1, "deployed", [snap.network_policies[0], *docs])
        slice_ = endpoint_slice("acme-api")
        slice_["ports"] = [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]
        slice_["endpoints"] = [{"addresses": [a.split(":")[0]], "conditions": {"ready": True},
                                "targetRef": {"kind": "Pod", "name": f"acme-api-{i}"}} for i, a in enumerate(ADDRESSES)]
        # The database's slice first, with a metrics port of its own: the monitor selects only the API.
        database = endpoint_slice("acme-db")
        database["ports"] = [{"name": "postgresql", "port": 5432}, {"name": "metrics", "port": 9187}]
        snap.endpoint_slices[:] = [database, slice_]
        answers = world.prometheus.answers
        answers.targets = [target(POOL, a, pod=f"acme-api-{i}") for i, a in enumerate(ADDRESSES)]
        answers.groups = [group("acme-api", rule("AcmeApiDown"), rule("acme:requests:rate5m", kind="recording")),
                          group("acme-workloads", rule("AcmePodRestarting"))]
        if change is not None:
            change(snap, world)
        return snap, SmokeSettings(observability=ObservabilitySettings(prometheus_url=world.prometheus.url))
    return build


def scrape(index: int, **fields: Any) -> Callable[[Snapshot, World], None]:
    """One of the API pods' targets as Prometheus last saw it."""
    return lambda s, w: w.prometheus.answers.targets[index].update(fields)


def rule_state(group_index: int, rule_index: int, **fields: Any) -> Callable[[Snapshot, World], None]:
    return lambda s, w: w.prometheus.answers.groups[group_index]["rules"][rule_index].update(fields)


API_SLICE = 1  # the index of the API's EndpointSlice in an observed() snapshot


def unready_endpoint(snap: Snapshot, world: World) -> None:
    snap.endpoint_slices[API_SLICE]["endpoints"][2]["conditions"]["ready"] = False
    world.prometheus.answers.targets[2].update(health="down", lastError="connection refused")


def pod_monitored(docs: list[Obj]) -> None:
    docs[0] = {"kind": "PodMonitor", "metadata": {"name": "acme-api"},
               "spec": {"selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                        "podMetricsEndpoints": [{"port": "metrics"}]}}


def metrics_port(pod_: Obj, ip: str | None, *conditions: tuple[str, str]) -> Obj:
    """The pod's container serving on http (8080) and metrics (9090)."""
    pod_["spec"] = {"containers": [{"name": "app", "ports": [{"name": "http", "containerPort": 8080},
                                                             {"name": "metrics", "containerPort": 9090}]}]}
    pod_["status"]["podIP"] = ip
    pod_["status"]["conditions"] = [{"type": kind, "status": status} for kind, status in conditions] or None
    return pod_


def pods_with_ports(snap: Snapshot, world: World) -> None:
    """Every pod with a metrics container port, the database's too (the PodMonitor selects only the API)."""
    for i, pod_ in enumerate(snap.pods):
        metrics_port(pod_, f"10.0.0.{i + 1}", ("Ready", "True"))


def pod_monitor_scraped(snap: Snapshot, world: World) -> None:
    """The pods with metrics ports, scraped by the PodMonitor's pool."""
    pods_with_ports(snap, world)
    for scraped in world.prometheus.answers.targets:
        scraped["scrapePool"] = "podMonitor/acme/acme-api/0"


def pods_not_to_judge(snap: Snapshot, world: World) -> None:
    """API pods the PodMonitor must not expect as targets: not ready, no metrics port, no address, no labels."""
    pod_monitor_scraped(snap, world)
    snap.pods += [metrics_port(pod("acme-api-unready", "api"), "10.0.0.8", ("Ready", "False"), ("Initialized", "True")),
                  metrics_port(pod("acme-api-starting", "api"), "10.0.0.9"),
                  metrics_port(pod("acme-api-unplaced", "api"), None, ("Ready", "True"))]
    portless = metrics_port(pod("acme-api-portless", "api"), "10.0.0.10", ("Ready", "True"))
    portless["spec"]["containers"][0]["ports"] = None
    unlabelled = metrics_port(pod("acme-api-unlabelled", "api"), "10.0.0.11", ("Ready", "True"))
    unlabelled["metadata"]["labels"] = None
    bare = pod("acme-api-bare", "api")  # no spec at all
    bare["status"].update(podIP="10.0.0.12", conditions=[{"type": "Ready", "status": "True"}])
    snap.pods += [portless, unlabelled, bare]


def unready_first(snap: Snapshot, world: World) -> None:
    """The first endpoint is not ready (its target down, not judged); the last one is not a target."""
    snap.endpoint_slices[API_SLICE]["endpoints"][0]["conditions"]["ready"] = False
    targets = world.prometheus.answers.targets
    targets[0].update(health="down", lastError="connection refused")
    targets.pop()


def without_target_ref(snap: Snapshot, world: World) -> None:
    del snap.endpoint_slices[API_SLICE]["endpoints"][2]["targetRef"]
    world.prometheus.answers.targets.pop()


def nulls_released(docs: list[Obj]) -> None:
    """Helm renders empty values as null: an empty namespaceSelector means the monitor's own namespace."""
    docs[0]["spec"]["namespaceSelector"] = None
    docs[1]["spec"]["groups"].append({"name": "acme-empty", "rules": None})
    docs += [{"kind": "ServiceMonitor", "metadata": {"name": "acme-idle"}, "spec": {"endpoints": None}},
             {"kind": "PrometheusRule", "metadata": {"name": "acme-idle"}, "spec": {"groups": None}}]


def nulls_live(snap: Snapshot, world: World) -> None:
    snap.services[1]["metadata"]["labels"] = None
    snap.endpoint_slices[API_SLICE]["endpoints"][0]["conditions"] = None  # the API: unset means ready
    snap.endpoint_slices[API_SLICE]["endpoints"].append({"addresses": None, "conditions": {"ready": True}})
    unlabelled, portless, empty = endpoint_slice("acme-x"), endpoint_slice("acme-api"), endpoint_slice("acme-api")
    unlabelled["metadata"]["labels"], portless["ports"], empty["endpoints"] = None, None, None
    snap.endpoint_slices += [unlabelled, portless, empty]
    world.prometheus.answers.groups.append(group("acme-empty"))


def monitor_elsewhere(docs: list[Obj], namespaces: dict[str, Any]) -> None:
    docs[0]["metadata"]["namespace"] = "monitoring"
    docs[0]["spec"]["namespaceSelector"] = namespaces


def elsewhere(snap: Snapshot, world: World) -> None:
    """Prometheus scrapes the monitor's pool, but not the third pod."""
    targets = world.prometheus.answers.targets
    targets.pop()
    for scraped in targets:
        scraped["scrapePool"] = "serviceMonitor/monitoring/acme-api/0"


def alerted(answers: dict[str, Any] | None = None, **found: Any) -> Build:
    """The healthy snapshot, a Prometheus that loads the synthetic rule from its directory and an
    Alertmanager that posts it to the receiver's address (each step changed by `answers`)."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        assert world.prometheus is not None, "observability cases need the prometheus_site fixture"
        address = free_address()
        site = world.prometheus.answers
        site.webhook = f"http://{address}/alerts"
        for key, value in (answers or {}).items():
            setattr(site, key, value)
        settings = ObservabilitySettings(prometheus_url=world.prometheus.url, synthetic_rules_dir=site.rules_dir,
                                         receiver_address=address, alert_deadline_seconds=0.5)
        return healthy_snapshot(world.ca), SmokeSettings(observability=replace(settings, **found))
    return build


def shipped(answers: dict[str, Any] | None = None, site: dict[str, Any] | None = None,
            http: dict[str, Any] | None = None, **found: Any) -> Build:
    """The healthy snapshot behind the loopback site, whose API logs every request id it sees, and a log
    store whose shipper delivers those lines with the pod's labels (each step changed by `answers`, the
    site's behaviour by `site`, how the edge is reached by `http`)."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        assert world.logs is not None, "logs cases need the site and log_store fixtures"
        snap, settings = behave(**(site or {}))(world)
        store = world.logs.answers
        store.logged = world.site.behaviour.request_ids
        for key, value in (answers or {}).items():
            setattr(store, key, value)
        logs = ObservabilitySettings(logs_url=world.logs.url, log_shipper_url=world.logs.shipper_url,
                                     log_deadline_seconds=0.5)
        return snap, replace(settings, http=replace(settings.http, **(http or {})),
                             observability=replace(logs, **found))
    return build


def unlabelled(**fields: str | None) -> dict[str, Any]:
    """The shipper's fields for the API's line with `fields` changed (None: left out)."""
    base = LogAnswers().fields
    return {"fields": {k: v for k, v in {**base, **fields}.items() if v is not None}}


def bare_pod(build: Build) -> Build:
    """`build`, its first API pod without labels (nothing for the line to carry)."""
    def bare(world: World) -> tuple[Snapshot, SmokeSettings]:
        snap, settings = build(world)
        del snap.pods[0]["metadata"]["labels"]
        return snap, settings
    return bare


def unavailable(snap: Snapshot, world: World) -> None:
    world.prometheus.answers.status = 503


def measured(change: Callable[[list[dict[str, Any]]], Any] | None = None) -> Build:
    """The healthy snapshot with a wire matrix of three pairs that agree (one denied), `change`d."""
    def build(world: World) -> tuple[Snapshot, SmokeSettings]:
        rows = [dict(source="api", target="db", port=5432, protocol="TCP", intended=True, evaluated=True, measured="open"),
                dict(source="ui", target="db", port=5432, protocol="TCP", intended=False, evaluated=False,
                     measured="ConnectionRefusedError"),
                dict(source="api", target="dns", port=53, protocol="UDP", intended=True, evaluated=True, measured="open")]
        if change is not None:
            change(rows)
        snap = replace(healthy_snapshot(world.ca), wire=WireMatrix(tuple(WireRow(**row) for row in rows)))
        return snap, SmokeSettings()
    return build


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
    broken("deployment.rolled-out", "new-deployment-not-observed-yet",
           edit(lambda s, w: s.deployments[0]["status"].pop("observedGeneration")),
           (DEP, "status.observedGeneration", "controller has not seen the latest spec")),
    sound("deployment.rolled-out", "no-generation-recorded",
          edit(lambda s, w: (s.deployments[0]["status"].pop("observedGeneration"), s.deployments[0]["metadata"].pop("generation")))),
    sound("deployment.rolled-out", "scaled-to-zero",
          edit(lambda s, w: (s.deployments[0]["spec"].update(replicas=0),
                             s.deployments[0].update(status={"observedGeneration": 1})))),
    broken("deployment.rolled-out", "one-replica-none-available",
           edit(lambda s, w: (s.deployments[0]["spec"].pop("replicas"), s.deployments[0]["status"].update(
               replicas=1, updatedReplicas=1, readyReplicas=1), s.deployments[0]["status"].pop("availableReplicas"))),
           (DEP, "status.availableReplicas", "0/1")),
    broken("deployment.rolled-out", "progress-deadline-exceeded",
           edit(lambda s, w: s.deployments[0]["status"]["conditions"][0].update(reason="ProgressDeadlineExceeded")),
           (DEP, "status.conditions[Progressing]", "progress deadline exceeded")),

    sound("pod.healthy", "healthy", edit()),
    sound("pod.healthy", "young-pending-and-terminating-pods", edit(recent_pending)),
    sound("pod.healthy", "restarts-at-the-limit", edit(container_status(restartCount=3))),
    sound("pod.healthy", "pending-for-exactly-the-deadline", edit(lambda s, w: s.pods.append(aged(
        pod("acme-api-x", "api", phase="Pending"), seconds=120)))),
    sound("pod.healthy", "just-scheduled-without-status", edit(lambda s, w: s.pods.append(
        {**aged(pod("acme-api-x", "api"), seconds=1), "status": {"phase": "Pending"}}))),
    broken("pod.healthy", "terminating-pod-then-a-pending-one",
           edit(lambda s, w: s.pods.__setitem__(slice(0, 0), [terminating(pod("acme-api-old", "api", phase="Pending")),
                                                             pod("acme-api-x", "api", phase="Pending")])),
           ("Pod/acme/acme-api-x", "status.phase", "Pending for more than 120 s")),
    broken("pod.healthy", "crash-loop-before-any-restart-is-counted",
           edit(lambda s, w: s.pods[0]["status"]["containerStatuses"][0].update(
               restartCount=None, state={"waiting": {"reason": "CrashLoopBackOff"}})),
           ("Pod/acme/acme-api-0", "status.containerStatuses[app]", "crash-looping (0 restarts, CrashLoopBackOff)")),
    broken("pod.healthy", "pending-past-deadline", edit(lambda s, w: s.pods.append(pod("acme-api-x", "api", phase="Pending"))),
           ("Pod/acme/acme-api-x", "status.phase", "Pending for more than 120 s")),
    broken("pod.healthy", "crash-loop-back-off",
           edit(container_status(restartCount=1, state={"waiting": {"reason": "CrashLoopBackOff"}})),
           ("Pod/acme/acme-api-0", "status.containerStatuses[app]", "crash-looping (1 restarts, CrashLoopBackOff)")),
    broken("pod.healthy", "restarts-past-the-limit", edit(container_status(restartCount=4)),
           ("Pod/acme/acme-api-0", "status.containerStatuses[app]", "crash-looping (4 restarts, running)")),

    sound("service.endpoints", "healthy", edit()),
    sound("service.endpoints", "external-name-and-unset-ready", edit(external_name)),
    broken("service.endpoints", "external-name-then-a-service-without-endpoints",
           edit(lambda s, w: (external_name(s, w), s.services.insert(0, s.services.pop()),
                              s.endpoint_slices.__setitem__(0, {**endpoint_slice("acme-api"), "metadata": {"name": "manual"}}))),
           ("Service/acme/acme-api", "endpoints", "no ready endpoint in any EndpointSlice")),
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
    broken("exposure.internal", "unlabelled-service-selecting-the-database",
           edit(lambda s, w: s.services.append({"metadata": {"name": "acme-db-public", "namespace": NS},
                                                "spec": {"type": "LoadBalancer",
                                                         "selector": {"app.kubernetes.io/component": "database"}}})),
           ("Service/acme/acme-db-public", "spec.type", "LoadBalancer exposes an internal component")),
    sound("exposure.internal", "route-to-a-backend-that-is-not-a-service",
          gateway_env(lambda s: s.http_routes[0]["spec"]["rules"][0]["backendRefs"][0].update(name="acme-db", kind="Backend"))),
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
    broken("hpa.bounds", "a-missing-hpa-then-a-changed-one",
           edit(lambda s, w: (rerelease(s, lambda docs: [{**docs[2], "metadata": meta("acme-worker")}, *docs]),
                              s.hpas[0]["spec"].update(maxReplicas=4))),
           ("HorizontalPodAutoscaler/acme/acme-worker", "metadata.name", "released HPA missing from the cluster"),
           (HPA, "spec.maxReplicas", "4, released 10")),
    sound("hpa.bounds", "min-unset-on-both-sides-and-one-replica",
          edit(lambda s, w: (rerelease(s, lambda docs: [unset_min(d) if d["kind"] == "HorizontalPodAutoscaler" else d
                                                        for d in docs]),
                             s.hpas[0]["spec"].pop("minReplicas"), s.deployments[0]["spec"].update(replicas=1)))),
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

    sound("networkpolicy.wire", "three-matrices-agree", measured()),
    sound("networkpolicy.wire", "a-timeout-is-closed-too", measured(lambda rows: rows[1].update(measured="timeout"))),
    broken("networkpolicy.wire", "denied-flow-opens-on-the-wire", measured(lambda rows: rows[1].update(measured="open")),
           ("Flow/ui -> db:5432/TCP", "wire", "the connection opened on the wire; the contract denies")),
    broken("networkpolicy.wire", "allowed-flow-refused-on-the-wire",
           measured(lambda rows: rows[0].update(measured="ConnectionRefusedError")),
           ("Flow/api -> db:5432/TCP", "wire", "the connection met ConnectionRefusedError on the wire; the contract allows")),
    broken("networkpolicy.wire", "dns-answer-wrong", measured(lambda rows: rows[2].update(measured="wrong answer")),
           ("Flow/api -> dns:53/UDP", "wire", "the connection met wrong answer on the wire; the contract allows")),
    # the policies and the wire agree with each other, not with the contract: both are findings
    broken("networkpolicy.wire", "policy-opens-what-the-contract-denies",
           measured(lambda rows: rows[1].update(evaluated=True, measured="open")),
           ("Flow/ui -> db:5432/TCP", "evaluator", "the evaluator allows what the contract denies"),
           ("Flow/ui -> db:5432/TCP", "wire", "the connection opened on the wire; the contract denies")),
    # the evaluator misreads a policy the node enforces as written
    broken("networkpolicy.wire", "evaluator-alone-differs", measured(lambda rows: rows[0].update(evaluated=False)),
           ("Flow/api -> db:5432/TCP", "evaluator", "the evaluator denies what the contract allows")),
    broken("networkpolicy.wire", "nothing-measured", measured(lambda rows: rows.clear()),
           ("Namespace/acme", "", "no pair of the flow matrix was measured: no destination had a Ready pod")),

    sound("certificate.valid", "healthy", edit()),
    sound("certificate.valid", "fourteen-days-left", edit(certificate("api.acme.com", not_after=NOW + dt.timedelta(days=14)))),
    sound("certificate.valid", "gateway", gateway_env()),
    broken("certificate.valid", "secret-missing", edit(lambda s, w: s.tls_secrets.clear()),
           (ING, "spec.tls[0].secretName", "TLS Secret 'acme-api-tls' not found")),
    broken("certificate.valid", "no-secret-name", edit(lambda s, w: s.ingresses[0]["spec"]["tls"][0].pop("secretName")),
           (ING, "spec.tls[0].secretName", "TLS Secret None not found")),
    sound("certificate.valid", "valid-from-this-second", edit(certificate("api.acme.com", not_before=NOW))),
    broken("certificate.valid", "secret-in-another-namespace",
           edit(lambda s, w: s.tls_secrets[0]["metadata"].update(namespace="traefik")),
           (ING, "spec.tls[0].secretName", "TLS Secret 'acme-api-tls' not found")),
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
    broken("certificate.valid", "parent-without-namespace-is-the-routes-own",
           gateway_env(lambda s: s.http_routes[0]["spec"]["parentRefs"][0].pop("namespace")),
           ("HTTPRoute/acme/acme-api", "spec.parentRefs", "Gateway acme/acme-gateway not found")),
    sound("certificate.valid", "certificate-in-the-routes-namespace",
          gateway_env(lambda s: (s.tls_secrets[0]["metadata"].update(namespace=NS),
                                 s.gateways[0]["spec"]["listeners"][1]["tls"]["certificateRefs"][0].update(namespace=NS)))),
    broken("certificate.valid", "redirect-route-first-then-an-uncovered-host",
           gateway_env(lambda s: (s.http_routes.reverse(),
                                  s.gateways[0]["spec"]["listeners"][1].update(hostname="*.example.com"))),
           ("HTTPRoute/acme/acme-api", "spec.hostnames", "no HTTPS listener of traefik/acme-gateway serves api.acme.com")),
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

    sound("observability.scraped", "every-target-up", observed()),
    sound("observability.scraped", "unready-endpoint-down", observed(unready_endpoint)),
    # Prometheus has no pool for it: only a monitor that watches our namespace is judged.
    sound("observability.scraped", "monitor-of-another-namespace",
          observed(lambda s, w: w.prometheus.answers.targets.clear(),
                   lambda d: d[0]["spec"].update(namespaceSelector={"matchNames": ["other"]}))),
    broken("observability.scraped", "monitor-of-another-namespace-first",
           observed(lambda s, w: w.prometheus.answers.targets.pop(),
                    lambda d: d.insert(0, {**copy.deepcopy(MONITOR), "metadata": {"name": "acme-other"},
                                           "spec": {**MONITOR["spec"], "namespaceSelector": {"matchNames": ["other"]}}})),
           ("Pod/acme/acme-api-2", "target", f"10.0.0.3:9090 is not a target of {POOL}")),
    broken("observability.scraped", "monitor-elsewhere-watching-every-namespace",
           observed(elsewhere, lambda d: monitor_elsewhere(d, {"any": True})),
           ("Pod/acme/acme-api-2", "target", "10.0.0.3:9090 is not a target of serviceMonitor/monitoring/acme-api/0")),
    broken("observability.scraped", "monitor-elsewhere-naming-our-namespace",
           observed(elsewhere, lambda d: monitor_elsewhere(d, {"matchNames": [NS]})),
           ("Pod/acme/acme-api-2", "target", "10.0.0.3:9090 is not a target of serviceMonitor/monitoring/acme-api/0")),
    sound("observability.scraped", "pod-monitor", observed(pod_monitor_scraped, pod_monitored)),
    sound("observability.scraped", "explicit-nulls", observed(nulls_live, nulls_released)),
    sound("observability.scraped", "numeric-target-port",
          observed(released=lambda d: d[0]["spec"].update(endpoints=[{"targetPort": 9090}]))),
    sound("observability.scraped", "named-target-port",
          observed(pods_with_ports, lambda d: d[0]["spec"].update(endpoints=[{"targetPort": "metrics"}]))),
    sound("observability.scraped", "endpoint-without-port",
          observed(lambda s, w: s.endpoint_slices[API_SLICE]["ports"].pop(0),
                   lambda d: d[0]["spec"].update(endpoints=[{"path": "/metrics"}]))),
    sound("observability.scraped", "pod-monitor-judges-only-ready-selected-pods", observed(pods_not_to_judge, pod_monitored)),
    sound("observability.scraped", "pod-monitor-endpoint-without-port",
          observed(lambda s, w: (pod_monitor_scraped(s, w), [p["spec"]["containers"][0]["ports"].pop(0) for p in s.pods]),
                   lambda d: (pod_monitored(d), d[0]["spec"].update(podMetricsEndpoints=[{}])))),
    broken("observability.scraped", "named-target-port-not-on-the-pod",
           observed(pods_with_ports, lambda d: d[0]["spec"].update(endpoints=[{"targetPort": "prom"}])),
           (SM, "spec.endpoints[0]", "selects no ready endpoint, so nothing is scraped")),
    broken("observability.scraped", "monitor-without-selector-selects-every-service",
           observed(released=lambda d: d[0]["spec"].pop("selector")),
           ("Pod/acme/10.0.0.1", "target", f"10.0.0.1:9187 is not a target of {POOL}")),
    broken("observability.scraped", "pod-monitor-without-selector-selects-every-pod",
           observed(pod_monitor_scraped, lambda d: (pod_monitored(d), d[0]["spec"].pop("selector"))),
           ("Pod/acme/acme-db-0", "target", "10.0.0.4:9090 is not a target of podMonitor/acme/acme-api/0")),
    broken("observability.scraped", "unready-endpoint-first", observed(unready_first),
           ("Pod/acme/acme-api-2", "target", f"10.0.0.3:9090 is not a target of {POOL}")),
    broken("observability.scraped", "endpoint-without-target-ref", observed(without_target_ref),
           ("Pod/acme/10.0.0.3", "target", f"10.0.0.3:9090 is not a target of {POOL}")),
    broken("observability.scraped", "monitor-not-configured", observed(lambda s, w: w.prometheus.answers.targets.clear()),
           (SM, "spec.endpoints[0]", f"Prometheus has no scrape pool {POOL}")),
    broken("observability.scraped", "ready-pod-not-a-target", observed(lambda s, w: w.prometheus.answers.targets.pop()),
           ("Pod/acme/acme-api-2", "target", f"10.0.0.3:9090 is not a target of {POOL}")),
    broken("observability.scraped", "target-down", observed(scrape(1, health="down", lastError="connection refused")),
           ("Pod/acme/acme-api-1", "target", f"10.0.0.2:9090 of {POOL} is down: connection refused")),
    broken("observability.scraped", "target-not-scraped-yet", observed(scrape(0, health="unknown")),
           ("Pod/acme/acme-api-0", "target", f"10.0.0.1:9090 of {POOL} not scraped yet")),
    broken("observability.scraped", "port-on-no-service",
           observed(released=lambda d: d[0]["spec"]["endpoints"][0].update(port="prom")),
           (SM, "spec.endpoints[0]", "selects no ready endpoint, so nothing is scraped")),
    broken("observability.scraped", "pod-monitor-target-down",
           observed(lambda s, w: (pod_monitor_scraped(s, w), scrape(2, health="down", lastError="timeout")(s, w)),
                    pod_monitored),
           ("Pod/acme/acme-api-2", "target", "10.0.0.3:9090 of podMonitor/acme/acme-api/0 is down: timeout")),
    broken("observability.scraped", "prometheus-unavailable", observed(unavailable),
           ("Prometheus/api", "", part("/api/v1/targets?state=active: HTTP 503"))),

    sound("observability.rules-loaded", "every-rule-evaluated", observed()),
    sound("observability.rules-loaded", "other-groups-loaded-too",
          observed(lambda s, w: w.prometheus.answers.groups.append(group("acme-synthetic", rule("AcmeSynthetic"))))),
    sound("observability.rules-loaded", "explicit-nulls", observed(nulls_live, nulls_released)),
    broken("observability.rules-loaded", "group-not-loaded", observed(lambda s, w: w.prometheus.answers.groups.pop()),
           (PR, "spec.groups[1]", "group acme-workloads is not loaded in Prometheus")),
    broken("observability.rules-loaded", "first-group-not-loaded-and-a-rule-failing",
           observed(lambda s, w: (rule_state(1, 0, health="err", lastError="bad")(s, w), w.prometheus.answers.groups.pop(0))),
           (PR, "spec.groups[0]", "group acme-api is not loaded in Prometheus"),
           (PR, "spec.groups[1].rules[0]", "AcmePodRestarting fails to evaluate: bad")),
    broken("observability.rules-loaded", "rule-not-loaded",
           observed(lambda s, w: w.prometheus.answers.groups[0]["rules"].pop(0)),
           (PR, "spec.groups[0].rules[0]", "AcmeApiDown is not loaded in group acme-api")),
    broken("observability.rules-loaded", "rule-fails",
           observed(rule_state(0, 1, health="err", lastError="many-to-many matching not allowed")),
           (PR, "spec.groups[0].rules[1]", "acme:requests:rate5m fails to evaluate: many-to-many matching not allowed")),
    broken("observability.rules-loaded", "rule-not-evaluated-yet", observed(rule_state(1, 0, health="unknown")),
           (PR, "spec.groups[1].rules[0]", "AcmePodRestarting not evaluated yet")),
    broken("observability.rules-loaded", "prometheus-unavailable", observed(unavailable),
           ("Prometheus/api", "", part("/api/v1/rules: HTTP 503"))),

    sound("observability.alert-delivered", "delivered", alerted()),
    broken("observability.alert-delivered", "reload-refused", alerted({"lifecycle": False}),
           ("Prometheus/api", "", part("/-/reload: HTTP 403 Lifecycle API is not enabled."))),
    broken("observability.alert-delivered", "rule-files-elsewhere", alerted({"loads": False}),
           ("Prometheus/api", "rule_files", "the synthetic rule is not loaded after a reload: its rule files do not "
                                            "name the synthetic rules directory")),
    broken("observability.alert-delivered", "rule-fails", alerted({"rule_health": "err", "rule_error": "boom"}),
           ("Prometheus/api", "rule_files", "the synthetic rule fails to evaluate: boom")),
    broken("observability.alert-delivered", "never-fires", alerted({"fires": False}),
           ("Prometheus/api", "rule_files", "AcmeSyntheticAlert did not fire within 0.5 s")),
    broken("observability.alert-delivered", "no-alertmanager", alerted({"alertmanagers": []}),
           ("Prometheus/api", "alerting.alertmanagers", "Prometheus sends its alerts to no Alertmanager")),
    broken("observability.alert-delivered", "not-delivered",
           alerted({"delivers": False, "alertmanagers": ["http://10.0.0.9:9093/api/v2/alerts", "http://10.0.0.10:9093"]}),
           ("Alertmanager/receiver", "", part("AcmeSyntheticAlert fired and went to http://10.0.0.9:9093/api/v2/alerts, "
                                               "http://10.0.0.10:9093, but did not reach the receiver at 127.0.0.1:"))),
    broken("observability.alert-delivered", "rules-directory-missing", alerted(synthetic_rules_dir="/nonexistent/rules"),
           ("Prometheus/api", "rule_files", "cannot write the synthetic rule into /nonexistent/rules: No such file or directory")),
    broken("observability.alert-delivered", "receiver-address-not-local", alerted(receiver_address="192.0.2.1:9"),
           ("Alertmanager/receiver", "", "cannot listen on 192.0.2.1:9: Cannot assign requested address")),
    broken("observability.alert-delivered", "prometheus-unavailable", alerted({"status": 503}),
           ("Prometheus/api", "", part("/-/reload: HTTP 503 unavailable"))),
    sound("observability.logs-shipped", "line-stored-with-the-pods-labels", shipped()),    sound("observability.logs-shipped", "no-shipper-address", shipped(log_shipper_url=None)),
    sound("observability.logs-shipped", "pod-without-labels",
          bare_pod(shipped(unlabelled(**{"kubernetes.pod_labels.app.kubernetes.io/component": None,
                                         "kubernetes.pod_labels.app.kubernetes.io/part-of": None})))),
    broken("observability.logs-shipped", "edge-unreachable", shipped(http={"https_port": int(free_address().split(":")[1])}),
           ("Host/api.acme.com", "", part("the request to log could not be sent: cannot connect to api.acme.com "
                                          "(127.0.0.1:"))),
    broken("observability.logs-shipped", "api-does-not-echo-the-request-id",
           shipped(site={"echo_request_id": False}),
           ("Host/api.acme.com", "", part("https://api.acme.com/healthz/ready answered 200 without echoing X-Request-Id, "
                                          "so the API never saw the request (request_id smoke-"))),
    broken("observability.logs-shipped", "store-unreachable", shipped({"status": 500}),
           ("LogStore/api", "", part("the log store is unreachable: http://127.0.0.1:"))),
    broken("observability.logs-shipped", "shipper-not-running", shipped({"ships": False, "shipper_up": False}),
           ("LogShipper/agent", "", part("the log shipper is not running: http://127.0.0.1:"))),
    broken("observability.logs-shipped", "line-not-shipped", shipped({"ships": False}),
           ("LogStore/api", "", part("no line of the request in the log store within 0.5 s (request_id smoke-"))),
    broken("observability.logs-shipped", "namespace-not-shipped", shipped({"ships": False, "namespace_lines": False}),
           ("LogStore/api", "", part("no line of the request in the log store within 0.5 s; the store holds no line "
                                     "of namespace acme at all (request_id smoke-"))),
    broken("observability.logs-shipped", "line-of-another-pod", shipped(unlabelled(**{"kubernetes.pod_name": "acme-api-9"})),
           ("LogStore/api", "kubernetes.pod_name", part("the line names pod acme/acme-api-9, not a pod of namespace acme "
                                                        "(request_id smoke-"))),
    broken("observability.logs-shipped", "line-of-another-namespace",
           shipped(unlabelled(**{"kubernetes.pod_namespace": "default"})),
           ("LogStore/api", "kubernetes.pod_name", part("the line names pod default/acme-api-0, not a pod of namespace "
                                                        "acme (request_id smoke-"))),
    broken("observability.logs-shipped", "pod-labels-missing",
           shipped(unlabelled(**{"kubernetes.pod_labels.app.kubernetes.io/component": None,
                                 "kubernetes.pod_labels.app.kubernetes.io/part-of": "other"})),
           ("Pod/acme/acme-api-0", "metadata.labels", part("the line lacks the pod's labels "
                                                           "app.kubernetes.io/component=api, app.kubernetes.io/part-of=acme "
                                                           "(request_id smoke-"))),
]
