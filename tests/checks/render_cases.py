"""Cases of every render check: one broken case per condition the check tests, and sound cases.

Each broken case changes one thing in the acme-api release (or a small environment) and names
every finding it must produce; sound cases sit on the boundaries (rounding, defaults, what a
check deliberately ignores), so a check that tests a condition the wrong way fails one of them.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any, Callable

import factories as f
from case import broken, sound
from fake_openapi import fake_server
from harness.core.project import Project
from harness.render.helmfile import HelmfileState, Release, load_state
from harness.render.scenario import Scenario
from harness.render.schemas import OpenAPISchemas

Doc = dict[str, Any]
API = "Deployment/acme/acme-api"
STS = "StatefulSet/acme/acme-api"
HPA = "HorizontalPodAutoscaler/acme/acme-api"
PDB = "PodDisruptionBudget/acme/acme-api"
SVC = "Service/acme/acme-api"
ING = "Ingress/acme/acme-api"
ROUTE = "HTTPRoute/acme/acme-api"
POD = "spec.template.spec"
C0 = f"{POD}.containers[0]"
ROLLING = "spec.strategy.rollingUpdate"
BATCH_POD = "spec.jobTemplate.spec.template.spec"
COLLECTOR = "StatefulSet/acme/acme-metrics"
API_ENV = [{"name": "POSTGRES_URL", "valueFrom": {"secretKeyRef": {"name": "acme-db-credentials", "key": "url"}}},
           {"name": "METRICS_URL", "value": "http://acme-metrics.acme.svc.cluster.local:80"}]
SECURE = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
          "readOnlyRootFilesystem": True, "seccompProfile": {"type": "RuntimeDefault"}}


def _metrics_service() -> Doc:
    metrics = f.service("metrics", name="acme-metrics")
    metrics["spec"]["selector"] = {}  # selector-less: its pods belong to another release
    return metrics


REFERENCE = (f.cluster_issuer(), f.secret(), _metrics_service())


def c(**changes: Any) -> Doc:
    """The api container, sound, with `changes` applied."""
    changes.setdefault("env", copy.deepcopy(API_ENV))
    return f.container(**changes)


def api(container: Doc | None = None, replicas: int | None = None, kind: str = "Deployment", **changes: Any) -> Doc:
    doc = f.deployment(replicas=replicas, containers=[container or c()], **changes)
    doc["kind"] = kind
    if kind != "Deployment":
        del doc["spec"]["strategy"]
    return doc


def secured(**changes: Any) -> Doc:
    """A container securityContext: restricted, with `changes` (None removes a key)."""
    ctx = copy.deepcopy(SECURE)
    ctx.update(changes)
    return {k: v for k, v in ctx.items() if v is not None}


def rolling(surge: Any, unavailable: Any) -> Doc:
    return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}


def release(*docs: Doc, without: tuple[str, ...] = (), environment: str | None = None,
            baseline: tuple[Doc, ...] | None = None, values: list | None = None,
            reference: tuple[Doc, ...] = REFERENCE) -> Scenario:
    """The sound acme-api release (Deployment under an HPA, PDB, Service, Ingress) with `docs` replacing
    the object of the same kind and name (or added), and the kinds in `without` left out."""
    objects = {(d["kind"], d["metadata"]["name"]): d for d in (api(), f.hpa(), f.pdb(), f.service(), f.ingress())}
    objects = {k: v for k, v in objects.items() if k[0] not in without}
    for doc in docs:
        objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return f.scenario(*objects.values(), environment=environment, reference=reference, baseline=baseline,
                      values=values)


def ingress(tls: list | None = None, **changes: Any) -> Doc:
    doc = f.ingress(**changes)
    if tls is not None:
        doc["spec"]["tls"] = tls
    return doc


def routed(route: Doc, *docs: Doc) -> Scenario:
    """An HTTPRoute release (no Ingress) attached to the edge's Gateway."""
    return release(route, *docs, without=("Ingress",))


def gateway(listener_host: str | None) -> Doc:
    https = {"name": "https", "protocol": "HTTPS", "port": 8443, "tls": {"certificateRefs": [{"name": "acme-api-tls"}]}}
    if listener_host is not None:
        https["hostname"] = listener_host
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": "acme-gateway", "namespace": "traefik"},
            "spec": {"gatewayClassName": "traefik", "listeners": [{"name": "http", "protocol": "HTTP", "port": 8000},
                                                                   https]}}


def with_parents(*parents: Doc) -> Doc:
    route = f.httproute("acme-api", ["api.acme.com"])
    route["spec"]["parentRefs"] = list(parents)
    return route


def uncertified(gateway_doc: Doc) -> Doc:
    for listener in gateway_doc["spec"]["listeners"]:
        listener.pop("tls", None)
    return gateway_doc


def env_with(name: str, value: str | None = None, value_from: Doc | None = None) -> Doc:
    """The api Deployment with env var `name` set to a literal (or valueFrom), moved to the end of env."""
    env = [e for e in copy.deepcopy(API_ENV) if e["name"] != name]
    if value is not None or value_from is not None:
        env.append({"name": name, **({"value": value} if value is not None else {"valueFrom": value_from})})
    return api(f.container(env=env))


def with_selector(doc: Doc, labels: Doc) -> Doc:
    doc = copy.deepcopy(doc)
    doc["spec"]["selector"] = {"matchLabels": labels}
    return doc


def no_grace(doc: Doc) -> Doc:
    del doc["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    return doc


def job(kind: str = "Job", container: Doc | None = None) -> Doc:
    template = {"metadata": {"labels": f.labels("migrate")},
                "spec": {"restartPolicy": "Never", "containers": [container or c(name="migrate")]}}
    spec = {"template": template} if kind == "Job" else {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}}
    return {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "acme-migrate", "namespace": "acme"}, "spec": spec}


def cronjob(schedule: str = "0 3 * * *", policy: str | None = "Forbid", component: str = "backup",
            name: str = "acme-db-backup") -> Doc:
    spec: Doc = {"schedule": schedule, "jobTemplate": {"spec": {"template": {
        "metadata": {"labels": f.labels(component)}, "spec": {"restartPolicy": "Never", "containers": [c(name="dump")]}}}}}
    if policy is not None:
        spec["concurrencyPolicy"] = policy
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": name, "namespace": "acme", "labels": f.labels(component)}, "spec": spec}


DRILL = "CronJob/acme/acme-restore-drill"
DRILL_C0 = f"{BATCH_POD}.containers[0]"
DATABASE_ENV = {"name": "PGDATABASE", "valueFrom": {"secretKeyRef": {"name": "acme-db-credentials", "key": "database"}}}
S3_ENV = {"S3_ENDPOINT": "https://minio.storage.internal:9000", "S3_BUCKET": "acme-backups", "S3_PREFIX": "acme-db"}


def dump_cronjob(**s3: str) -> Doc:
    """acme-db-backup with its upload container's S3 settings (`s3` overrides them)."""
    job = cronjob()
    env = [{"name": k, "value": v} for k, v in {**S3_ENV, **s3}.items()]
    job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] = [c(name="upload", env=env)]
    return job


def drill_cronjob(scratch: str | None = "acme_restore_drill", **s3: str) -> Doc:
    """acme-restore-drill reading the live database's name from the credentials Secret."""
    job = cronjob(component="restore-drill", name="acme-restore-drill")
    env = [DATABASE_ENV, *([{"name": "SCRATCH_DATABASE", "value": scratch}] if scratch is not None else []),
           *({"name": k, "value": v} for k, v in {**S3_ENV, **s3}.items())]
    job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] = [c(name="drill", env=env)]
    return job


def without_env(job: Doc, name: str) -> Doc:
    """The CronJob with env var `name` removed from its first container."""
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != name]
    return job


def with_containers(job: Doc, before: list[Doc] = (), init: list[Doc] = ()) -> Doc:
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    pod["containers"] = [*before, *pod["containers"]]
    if init:
        pod["initContainers"] = list(init)
    return job


def credentials(database: str = "acme", string_data: bool = False) -> Doc:
    secret = f.secret(keys=("url", "username", "password"))
    if string_data:
        secret["stringData"] = {"database": database}
    else:
        secret["data"]["database"] = base64.b64encode(database.encode()).decode()
    return secret


def _as_job(cronjob_doc: Doc) -> Doc:
    """The CronJob's job as a Job of the same name (what a manual run looks like)."""
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": cronjob_doc["metadata"],
            "spec": cronjob_doc["spec"]["jobTemplate"]["spec"]}


def bad_cron(name: str, schedule: str, phrase: str):
    """A broken case of backup.cron: the backup CronJob on `schedule`, refused with `phrase`."""
    return broken("backup.cron", name, lambda: backups(cronjob(schedule)), ("CronJob/acme/acme-db-backup", "spec.schedule", phrase))


def velero_schedule(schedule: str, api_version: str = "velero.io/v1") -> Doc:
    return {"apiVersion": api_version, "kind": "Schedule", "metadata": {"name": "acme-daily", "namespace": "acme"},
            "spec": {"schedule": schedule, "template": {"includedNamespaces": ["acme"]}}}


def backups(*docs: Doc) -> Scenario:
    return f.scenario(*docs)


def configmap(data: Doc, name: str = "acme-api", annotations: Doc | None = None) -> Doc:
    meta: Doc = {"name": name, "namespace": "acme"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


# --- environments: several releases checked together -------------------------------------------

def policies(*docs: Doc) -> Scenario:
    return f.scenario(*docs, is_environment=True)


def without_policies(*names: str) -> list[Doc]:
    return [d for d in f.policy_environment() if d["kind"] != "NetworkPolicy" or d["metadata"]["name"] not in names]


DB_EGRESS = ("edge allowed on 8000/TCP, 8443/TCP", "monitoring allowed on 9090/TCP",
             "internet allowed on 443/TCP, 53/TCP, 53/UDP, 5432/TCP, 80/TCP, 8000/TCP, 8080/TCP, 8443/TCP, 9090/TCP")


def db_policy(*peers: Doc, ports: list | None = None) -> Doc:
    rule: Doc = {"from": list(peers)}
    rule["ports"] = ports if ports is not None else [{"port": "postgresql"}]
    return f.network_policy("acme-db", {"matchLabels": {"app.kubernetes.io/component": "database"}}, ingress=[rule])


def api_policy(ingress: list, egress: list | None = None) -> Doc:
    egress = egress if egress is not None else [
        {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "database"}}}], "ports": [{"port": 5432}]}]
    return f.network_policy("api", {"matchLabels": {"app.kubernetes.io/component": "api"}}, ingress=ingress, egress=egress)


def with_api_policy(policy: Doc) -> list[Doc]:
    docs = f.policy_environment()
    docs[4] = policy
    return docs


EDGE_PEER = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
             "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}
API_PEER = {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "acme", "app.kubernetes.io/component": "api"}}}


def exposure(*docs: Doc) -> Scenario:
    """The database and metrics collector with their ClusterIP Services, plus `docs` (replacing by kind/name)."""
    objects = {(d["kind"], d["metadata"]["name"]): d for d in (
        f.deployment("database"), f.service("database"), f.deployment("metrics"), f.service("metrics"))}
    for doc in docs:
        objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return f.scenario(*objects.values())


def service(component: str, **spec: Any) -> Doc:
    doc = f.service(component)
    doc["spec"].update(spec)
    return doc


def external_db_service(kind: str) -> Doc:
    doc = f.service("database", name="acme-db", kind=kind)
    del doc["spec"]["selector"]  # the database outside the cluster: endpoints managed by hand
    return doc


def needs_environment(needs_platform: bool, platform: tuple[Doc, ...] = (f.secret(),),
                      api_docs: tuple[Doc, ...] | None = None) -> Scenario:
    """acme-api beside acme-platform, whose `platform` objects acme-api's `api_docs` may use."""
    api_release = f.manifests(*(api_docs or (api(),)))
    platform = f.manifests(*platform, release="acme-platform")
    state = HelmfileState("local", (
        Release("acme-platform", "acme", Path("charts/acme-platform"), (), ()),
        Release("acme-api", "acme", Path("charts/acme-api"), (), ("acme-platform",) if needs_platform else ()),
    ), from_helmfile=True)
    return Scenario("env/local", api_release.merged(platform), "local", True, helmfile=state)


def _needs_chain() -> Scenario:
    """acme-api needs acme-db, which needs acme-platform (whose Secret acme-api uses) and a release of another helmfile."""
    scenario = needs_environment(True)
    state = HelmfileState("local", (
        Release("acme-platform", "acme", Path("charts/acme-platform"), (), ()),
        Release("acme-db", "acme", Path("charts/acme-db"), (), ("external-dns", "acme-platform")),
        Release("acme-api", "acme", Path("charts/acme-api"), (), ("acme-db",)),
    ), from_helmfile=True)
    return dataclasses.replace(scenario, helmfile=state)


def _renamed(doc: Doc, name: str) -> Doc:
    doc["metadata"]["name"] = name
    return doc


NEEDS_PLATFORM = ("HelmfileRelease/acme-api", "releases[acme-api].needs", "acme-api uses objects of acme-platform but does not need it")


def issuer_doc(namespace: str) -> Doc:
    return {"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "acme-ca", "namespace": namespace},
            "spec": {}}


def containers_of(workload: Doc, *containers: Doc) -> Doc:
    workload["spec"]["template"]["spec"]["containers"] = list(containers)
    return workload


def postgres_from(secret: str, key: str) -> Doc:
    return {"name": "POSTGRES_URL", "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


KEEP = {"helm.sh/resource-policy": "keep"}


def without_keys(doc: Doc, *keys: str) -> Doc:
    """The object with `keys` left out of its spec."""
    for key in keys:
        del doc["spec"][key]
    return doc


def with_schemas(*docs: Doc) -> Scenario:
    scenario = f.scenario(*docs)
    scenario.schemas = OpenAPISchemas(fake_server)
    return scenario


def render_failed() -> Scenario:
    scenario = f.scenario()
    scenario.render_errors = ["acme-api: Error: values don't meet the specifications of the schema"]
    return scenario


def rules(*alerts: Doc) -> Doc:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "acme-api", "namespace": "acme"},
            "spec": {"groups": [{"name": "acme-api", "rules": list(alerts)}]}}


def alert(name: str = "AcmeApiDown", severity: str | None = "critical",
          runbook: str | None = "https://runbooks.acme.com/acme-api-down") -> Doc:
    rule: Doc = {"alert": name, "expr": "up == 0", "labels": {}, "annotations": {}}
    if severity is not None:
        rule["labels"]["severity"] = severity
    if runbook is not None:
        rule["annotations"]["runbook_url"] = runbook
    return rule


def monitor(port: str = "http", namespace_selector: Doc | None = None, component: str = "api") -> Doc:
    spec: Doc = {"selector": {"matchLabels": {"app.kubernetes.io/component": component}},
                 "endpoints": [{"port": port, "path": "/metrics"}]}
    if namespace_selector is not None:
        spec["namespaceSelector"] = namespace_selector
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": {"name": "acme-api", "namespace": "monitoring"}, "spec": spec}


def labelled_service(namespace: str = "acme") -> Doc:
    doc = f.service()
    doc["metadata"].update(namespace=namespace, labels={"app.kubernetes.io/component": "api"})
    return doc


def monitored(*docs: Doc) -> Scenario:
    return f.scenario(*docs, is_environment=True)


def dashboard(*panels: Doc, variables: tuple[Doc, ...] = (), label: bool = True) -> Doc:
    """A dashboard ConfigMap as the observability chart ships it, with `panels` and template `variables`."""
    board = {"title": "Acme service", "templating": {"list": list(variables)}, "panels": list(panels)}
    doc = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "acme-dashboard-acme-service", "namespace": "acme", "labels": {}},
           "data": {"acme-service.json": json.dumps(board)}}
    if label:
        doc["metadata"]["labels"]["grafana_dashboard"] = "1"
    return doc


def panel(title: str, *exprs: str, datasource: Doc | None = None, **extra: Any) -> Doc:
    doc: Doc = {"title": title, "targets": [{"refId": chr(65 + i), "expr": e} for i, e in enumerate(exprs)], **extra}
    if datasource is not None:
        doc["datasource"] = datasource
    return doc


def recording(record: str, expr: str) -> Doc:
    return {"record": record, "expr": expr}


NAMESPACE_VARIABLE = {"name": "namespace", "type": "query",
                      "query": {"query": 'label_values(up{job="acme-api"}, namespace)'}}
DASHBOARD = "ConfigMap/acme/acme-dashboard-acme-service"
BOARD = "data.acme-service.json"
REQUESTS = 'sum(rate(http_server_request_duration_seconds_count{namespace="$namespace"}[$__rate_interval]))'
NO_EXPORTER = "which no exporter in policy/exported-metrics.yaml exports and no shipped rule records"


def upstream_environment(drop: tuple[str, ...] = (), **overrides: Doc) -> Scenario:
    """production's upstream releases as the helmfile gives them, with an extra values layer per release
    in `overrides` (keyed by release name, None removes a key) and the releases in `drop` left out."""
    state = load_state(Project(f.REPO_ROOT), "production")
    releases = []
    for release in state.upstream:
        if release.name in drop:
            continue
        files = release.values_files
        if release.name in overrides:
            layer = Path(tempfile.mkdtemp(prefix="longterm-")) / f"{release.name}.yaml"
            layer.write_text(json.dumps(overrides[release.name]))
            files = (*files, layer)
        releases.append(dataclasses.replace(release, values_files=files))
    return Scenario(name="env/production", manifests=f.manifests(), environment="production", is_environment=True,
        helmfile=dataclasses.replace(state, upstream=tuple(releases)))


KPS = "Release/monitoring/kube-prometheus-stack"
MIMIR = "Release/monitoring/mimir"
LOKI = "Release/monitoring/loki"
TEMPO = "Release/monitoring/tempo"
PUSH = "want http://mimir-gateway.monitoring.svc.cluster.local/api/v1/push"


SINGLE_RELEASE = ("rollout.", "probes.", "shutdown.", "scaling.", "tls.", "contracts.service-ports",
                  "contracts.backends", "contracts.postgres-url", "contracts.metrics-url", "security.")


CASES = [
    # rollout
    broken("rollout.strategy", "recreate", lambda: release(api(strategy={"type": "Recreate"})),
           (API, "spec.strategy.type", "strategy is Recreate, not RollingUpdate")),
    sound("rollout.strategy", "type-unset-means-rolling",
          lambda: release(api(strategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}))),
    broken("rollout.max-unavailable", "100-percent", lambda: release(api(strategy=rolling(1, "100%"))),
           (API, f"{ROLLING}.maxUnavailable", "resolves to 3 unavailable of 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): every pod may be down at once")),
    broken("rollout.max-unavailable", "equal-to-replicas",
           lambda: release(api(replicas=2, strategy=rolling(1, 2)), without=("HorizontalPodAutoscaler",)),
           (API, f"{ROLLING}.maxUnavailable", "resolves to 2 unavailable of 2 replicas (spec.replicas): every pod may be down at once")),
    broken("rollout.max-unavailable", "zero-zero-falls-back-to-one",
           lambda: release(api(replicas=1, strategy=rolling(0, 0)), without=("HorizontalPodAutoscaler",)),
           (API, f"{ROLLING}.maxUnavailable", "resolves to 1 unavailable of 1 replicas (spec.replicas): every pod may be down at once")),
    broken("rollout.max-unavailable", "against-hpa-min-replicas", lambda: release(api(strategy=rolling(1, 1)), f.hpa(low=1)),
           (API, f"{ROLLING}.maxUnavailable", f"resolves to 1 unavailable of 1 replicas ({HPA} spec.minReplicas): every pod may be down at once")),
    sound("rollout.max-unavailable", "percent-rounds-down",
          lambda: release(api(replicas=2, strategy=rolling(1, "99%")), without=("HorizontalPodAutoscaler",))),
    sound("rollout.max-unavailable", "default-25-percent-of-one",
          lambda: release(api(replicas=1, strategy={"type": "RollingUpdate"}), without=("HorizontalPodAutoscaler",))),
    # Recreate is rollout.strategy's concern: its leftover rollingUpdate is not read; an unset type means RollingUpdate
    sound("rollout.max-unavailable", "recreate-is-another-check",
          lambda: release(api(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "100%"}}))),
    broken("rollout.max-unavailable", "type-unset-means-rolling",
           lambda: release(api(strategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "100%"}})),
           (API, f"{ROLLING}.maxUnavailable", "resolves to 3 unavailable of 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): every pod may be down at once")),
    sound("rollout.max-unavailable", "parked-at-zero-replicas",
          lambda: release(api(replicas=0, strategy=rolling(1, 1)), without=("HorizontalPodAutoscaler",))),
    # a parked workload is passed over, not the end of the scan
    broken("rollout.max-unavailable", "parked-canary-then-a-bad-one",
           lambda: release(_renamed(api(replicas=0, strategy=rolling(1, 1)), "acme-api-canary"),
                           api(replicas=2, strategy=rolling(1, 2)), without=("HorizontalPodAutoscaler", "Deployment")),
           (API, f"{ROLLING}.maxUnavailable", "resolves to 2 unavailable of 2 replicas (spec.replicas): every pod may be down at once")),
    broken("rollout.max-surge", "zero-with-zero-unavailable", lambda: release(api(strategy=rolling(0, "10%"))),
           (API, f"{ROLLING}.maxSurge", "resolves to 0 with maxUnavailable 0 at 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): the rollout cannot start a new pod")),
    sound("rollout.max-surge", "percent-rounds-up", lambda: release(api(strategy=rolling("1%", 0)))),
    sound("rollout.max-surge", "zero-surge-with-unavailable", lambda: release(api(strategy=rolling(0, 1)))),
    sound("rollout.max-surge", "recreate-is-another-check",
          lambda: release(api(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}))),
    broken("rollout.production-replicas", "two-replicas",
           lambda: release(api(replicas=2), without=("HorizontalPodAutoscaler",), environment="production"),
           (API, "spec.replicas", "2 replicas in production, need at least 3")),
    broken("rollout.production-replicas", "hpa-min-two", lambda: release(f.hpa(low=2), environment="production"),
           (API, f"{HPA} spec.minReplicas", "2 replicas in production, need at least 3")),
    sound("rollout.production-replicas", "three-replicas",
          lambda: release(api(replicas=3), without=("HorizontalPodAutoscaler",), environment="production")),
    sound("rollout.production-replicas", "staging-may-run-one",
          lambda: release(api(replicas=1), without=("HorizontalPodAutoscaler",), environment="staging")),

    # probes
    broken("probes.readiness", "deployment", lambda: release(api(c(readinessProbe=None))),
           (API, f"{C0}.readinessProbe", "container api has no readinessProbe")),
    broken("probes.readiness", "statefulset", lambda: release(api(c(readinessProbe=None), kind="StatefulSet")),
           (STS, f"{C0}.readinessProbe", "container api has no readinessProbe")),
    broken("probes.readiness", "daemonset", lambda: release(api(c(readinessProbe=None), kind="DaemonSet")),
           ("DaemonSet/acme/acme-api", f"{C0}.readinessProbe", "container api has no readinessProbe")),
    sound("probes.readiness", "container-without-ports-serves-nothing",
          lambda: release(api(c(readinessProbe=None, ports=[])))),
    sound("probes.readiness", "jobs-serve-nothing", lambda: release(job(container=c(name="migrate", readinessProbe=None)))),
    broken("probes.ports", "number", lambda: release(api(c(readinessProbe={"httpGet": {"path": "/", "port": 80}}))),
           (API, f"{C0}.readinessProbe.httpGet.port", "port 80 is not a port of container api")),
    broken("probes.ports", "name", lambda: release(api(c(livenessProbe={"httpGet": {"path": "/live", "port": "metrics"}}))),
           (API, f"{C0}.livenessProbe.httpGet.port", "port 'metrics' is not a port of container api")),
    broken("probes.ports", "tcp-socket", lambda: release(api(c(startupProbe={"tcpSocket": {"port": 9999}}))),
           (API, f"{C0}.startupProbe.tcpSocket.port", "port 9999 is not a port of container api")),
    broken("probes.ports", "grpc", lambda: release(api(c(readinessProbe={"grpc": {"port": 9090}}))),
           (API, f"{C0}.readinessProbe.grpc.port", "port 9090 is not a port of container api")),
    broken("probes.ports", "statefulset", lambda: release(api(c(readinessProbe={"tcpSocket": {"port": "web"}}),
                                                              kind="StatefulSet")),
           (STS, f"{C0}.readinessProbe.tcpSocket.port", "port 'web' is not a port of container api")),
    sound("probes.ports", "number-declared", lambda: release(api(c(readinessProbe={"httpGet": {"path": "/", "port": 8080}})))),
    broken("probes.liveness-differs", "copy-of-readiness",
           lambda: release(api(c(livenessProbe={"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}))),
           (API, f"{C0}.livenessProbe", "identical to readinessProbe")),
    broken("probes.liveness-differs", "statefulset",
           lambda: release(api(c(livenessProbe={"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}),
                               kind="StatefulSet")),
           (STS, f"{C0}.livenessProbe", "identical to readinessProbe")),
    broken("probes.liveness-differs", "same-check-other-timing",
           lambda: release(api(c(livenessProbe={"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 20,
                                                "failureThreshold": 6}))),
           (API, f"{C0}.livenessProbe", "runs the same check as readinessProbe (only the timing differs)")),
    sound("probes.liveness-differs", "no-liveness", lambda: release(api(c(livenessProbe=None)))),
    broken("probes.startup", "liveness-without-startup", lambda: release(api(c(startupProbe=None))),
           (API, f"{C0}.startupProbe", "container api has a livenessProbe but no startupProbe")),
    broken("probes.startup", "statefulset", lambda: release(api(c(startupProbe=None), kind="StatefulSet")),
           (STS, f"{C0}.startupProbe", "container api has a livenessProbe but no startupProbe")),
    sound("probes.startup", "neither-liveness-nor-startup", lambda: release(api(c(livenessProbe=None, startupProbe=None)))),

    # shutdown
    broken("shutdown.prestop", "no-lifecycle", lambda: release(api(c(lifecycle={}))),
           (API, f"{C0}.lifecycle.preStop", "container api has no preStop delay")),
    broken("shutdown.prestop", "exec-without-sleep",
           lambda: release(api(c(lifecycle={"preStop": {"exec": {"command": ["/bin/true"]}}}))),
           (API, f"{C0}.lifecycle.preStop", "container api has no preStop delay")),
    broken("shutdown.prestop", "sleep-zero", lambda: release(api(c(lifecycle={"preStop": {"sleep": {"seconds": 0}}}))),
           (API, f"{C0}.lifecycle.preStop", "container api has no preStop delay")),
    broken("shutdown.prestop", "sleep-without-seconds", lambda: release(api(c(lifecycle={"preStop": {"sleep": {}}}))),
           (API, f"{C0}.lifecycle.preStop", "container api has no preStop delay")),
    sound("shutdown.prestop", "exec-sleep",
          lambda: release(api(c(lifecycle={"preStop": {"exec": {"command": ["sh", "-c", "sleep 15"]}}})))),
    sound("shutdown.prestop", "statefulset-drains-by-itself", lambda: release(api(c(lifecycle={}), kind="StatefulSet"))),
    broken("shutdown.grace-period", "equal-to-prestop-plus-drain", lambda: release(api(grace=25)),
           (API, f"{POD}.terminationGracePeriodSeconds", "25s is not more than preStop 15s + drain 10s")),
    broken("shutdown.grace-period", "default-30-against-exec-sleep-25",
           lambda: release(no_grace(api(c(lifecycle={"preStop": {"exec": {"command": ["sleep", "25"]}}})))),
           (API, f"{POD}.terminationGracePeriodSeconds", "30s is not more than preStop 25s + drain 10s")),
    sound("shutdown.grace-period", "one-second-more", lambda: release(api(grace=26))),
    sound("shutdown.grace-period", "default-30-without-prestop", lambda: release(no_grace(api(c(lifecycle={}))))),

    # scaling
    broken("scaling.hpa-version", "autoscaling-v1", lambda: release(f.hpa(api_version="autoscaling/v1")),
           (HPA, "apiVersion", "autoscaling/v1, want autoscaling/v2")),
    broken("scaling.hpa-bounds", "min-zero", lambda: release(f.hpa(low=0)),
           (HPA, "spec.minReplicas", "minReplicas 0 is below 1")),
    broken("scaling.hpa-bounds", "min-above-max", lambda: release(f.hpa(low=6, high=5)),
           (HPA, "spec.minReplicas", "minReplicas 6 exceeds maxReplicas 5")),
    sound("scaling.hpa-bounds", "min-equals-max", lambda: release(f.hpa(low=3, high=3))),
    sound("scaling.hpa-bounds", "min-one", lambda: release(f.hpa(low=1, high=3))),
    # an unset minReplicas is 1; an unset maxReplicas (required by the API) bounds nothing
    sound("scaling.hpa-bounds", "min-unset-max-one", lambda: release(without_keys(f.hpa(high=1), "minReplicas"))),
    broken("scaling.hpa-bounds", "max-unset", lambda: release(without_keys(f.hpa(), "maxReplicas")),
           (HPA, "spec.minReplicas", "minReplicas 3 exceeds maxReplicas 0")),
    broken("scaling.hpa-target", "workload-not-rendered", lambda: release(without=("Deployment",)),
           (HPA, "spec.scaleTargetRef", "Deployment/acme-api is not rendered")),
    broken("scaling.replicas-under-hpa", "deployment", lambda: release(api(replicas=3)),
           (API, "spec.replicas", "set although an HPA manages this workload")),
    broken("scaling.replicas-under-hpa", "statefulset",
           lambda: release(api(replicas=3, kind="StatefulSet"), _hpa_for("StatefulSet"), without=("Deployment",)),
           (STS, "spec.replicas", "set although an HPA manages this workload")),
    sound("scaling.replicas-under-hpa", "replicas-without-hpa",
          lambda: release(api(replicas=3), without=("HorizontalPodAutoscaler",))),
    broken("scaling.pdb", "policy-v1beta1", lambda: release(_pdb_version("policy/v1beta1")),
           (PDB, "apiVersion", "policy/v1beta1, want policy/v1")),
    broken("scaling.pdb", "selects-nothing", lambda: release(with_selector(f.pdb(), {"app.kubernetes.io/component": "ui"})),
           (PDB, "spec.selector", "selects no rendered workload")),
    broken("scaling.pdb", "no-selector", lambda: release(_pdb_without_selector()),
           (PDB, "spec.selector", "no selector: a policy/v1 PDB without one selects no pods")),
    broken("scaling.pdb", "max-unavailable-zero", lambda: release(f.pdb(maxUnavailable=0)),
           (PDB, "spec.maxUnavailable", f"allows 0 disruptions of {API} at 3 replicas ({HPA} spec.minReplicas): node drains would block")),
    broken("scaling.pdb", "min-available-all", lambda: release(f.pdb(minAvailable="100%")),
           (PDB, "spec.minAvailable", "allows 0 disruptions of Deployment/acme/acme-api at 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): node drains would block")),
    broken("scaling.pdb", "min-available-percent-rounds-up", lambda: release(f.pdb(minAvailable="67%")),
           (PDB, "spec.minAvailable", "allows 0 disruptions of Deployment/acme/acme-api at 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): node drains would block")),
    broken("scaling.pdb", "min-available-equals-replicas", lambda: release(f.pdb(minAvailable=3)),
           (PDB, "spec.minAvailable", "allows 0 disruptions of Deployment/acme/acme-api at 3 replicas (HorizontalPodAutoscaler/acme/acme-api spec.minReplicas): node drains would block")),
    sound("scaling.pdb", "max-unavailable-percent-rounds-up", lambda: release(f.pdb(maxUnavailable="10%"))),
    sound("scaling.pdb", "min-available-one-below-replicas", lambda: release(f.pdb(minAvailable=2))),
    broken("scaling.pdb", "neither-budget-means-min-available-one",
           lambda: release(api(replicas=1), without_keys(f.pdb(), "maxUnavailable"), without=("HorizontalPodAutoscaler",)),
           (PDB, "spec.minAvailable", f"allows 0 disruptions of {API} at 1 replicas (spec.replicas): node drains would block")),
    broken("scaling.pdb", "no-selector-then-a-blocking-budget",
           lambda: release(_pdb_without_selector(), {**f.pdb(maxUnavailable=0), "metadata": {"name": "acme-api-2", "namespace": "acme"}}),
           (PDB, "spec.selector", "no selector: a policy/v1 PDB without one selects no pods"),
           ("PodDisruptionBudget/acme/acme-api-2", "spec.maxUnavailable",
            f"allows 0 disruptions of {API} at 3 replicas ({HPA} spec.minReplicas): node drains would block")),

    # tls
    broken("tls.hosts", "host-without-tls-entry", lambda: release(ingress(tls_hosts=[])),
           (ING, "spec.tls", "host api.acme.com has no tls entry with a secretName")),
    broken("tls.hosts", "tls-entry-without-secret-name", lambda: release(ingress(tls=[{"hosts": ["api.acme.com"]}])),
           (ING, "spec.tls", "host api.acme.com has no tls entry with a secretName")),
    broken("tls.hosts", "rule-without-host", lambda: release(_ingress_without_host()),
           (ING, "spec.rules[0].host", "rule without host cannot be covered by TLS")),
    broken("tls.hosts", "wildcard-covers-one-label", lambda: release(ingress(host="v1.api.acme.com", tls_hosts=["*.acme.com"])),
           (ING, "spec.tls", "host v1.api.acme.com has no tls entry with a secretName")),
    sound("tls.hosts", "wildcard", lambda: release(ingress(tls_hosts=["*.acme.com"]))),
    broken("tls.hosts", "route-without-hostnames", lambda: routed(f.httproute("acme-api", []), gateway("*.acme.com")),
           (ROUTE, "spec.hostnames", "no hostnames: TLS coverage cannot be established")),
    broken("tls.hosts", "route-host-outside-listener",
           lambda: routed(f.httproute("acme-api", ["api.acme.com"]), gateway("www.acme.com")),
           (ROUTE, "spec.parentRefs[0]", "hostname api.acme.com has no HTTPS listener with a certificate on Gateway/traefik/acme-gateway")),
    broken("tls.hosts", "route-listener-wildcard-one-label",
           lambda: routed(f.httproute("acme-api", ["v1.api.acme.com"]), gateway("*.acme.com")),
           (ROUTE, "spec.parentRefs[0]", "hostname v1.api.acme.com has no HTTPS listener with a certificate on Gateway/traefik/acme-gateway")),
    sound("tls.hosts", "route-wildcard-listener", lambda: routed(f.httproute("acme-api", ["api.acme.com"]), gateway("*.acme.com"))),
    sound("tls.hosts", "route-listener-without-hostname",
          lambda: routed(f.httproute("acme-api", ["api.acme.com"]), gateway(None))),
    # which listeners serve a route: HTTPS with a certificate, the one its sectionName names, on the Gateway it names
    broken("tls.hosts", "route-attached-to-the-plain-listener",
           lambda: routed(with_parents({"name": "acme-gateway", "namespace": "traefik", "sectionName": "http"}),
                          gateway("*.acme.com")),
           (ROUTE, "spec.parentRefs[0]", "hostname api.acme.com has no HTTPS listener with a certificate on Gateway/traefik/acme-gateway")),
    sound("tls.hosts", "route-attached-to-the-https-listener",
          lambda: routed(with_parents({"name": "acme-gateway", "namespace": "traefik", "sectionName": "https"}),
                         gateway("*.acme.com"))),
    broken("tls.hosts", "https-listener-without-certificate",
           lambda: routed(f.httproute("acme-api", ["api.acme.com"]), uncertified(gateway("*.acme.com"))),
           (ROUTE, "spec.parentRefs[0]", "hostname api.acme.com has no HTTPS listener with a certificate on Gateway/traefik/acme-gateway")),
    broken("tls.hosts", "edge-owned-gateway-then-ours",
           lambda: routed(with_parents({"name": "edge-gateway", "namespace": "traefik"},
                                       {"name": "acme-gateway", "namespace": "traefik"}), gateway("www.acme.com")),
           (ROUTE, "spec.parentRefs[1]", "hostname api.acme.com has no HTTPS listener with a certificate on Gateway/traefik/acme-gateway")),
    sound("tls.hosts", "gateway-of-the-same-name-in-another-namespace",
          lambda: routed(with_parents({"name": "acme-gateway"}), gateway("www.acme.com"))),
    sound("tls.hosts", "redirect-route-needs-no-certificate",
          lambda: routed(f.httproute("acme-api", [], redirect=True), gateway("www.acme.com"))),
    broken("tls.issuer", "issuer-key-for-a-cluster-issuer",
           lambda: release(ingress(annotations={"cert-manager.io/issuer": "letsencrypt-prod"})),
           (ING, "metadata.annotations[cert-manager.io/issuer]",
            "letsencrypt-prod is a ClusterIssuer: use annotation cert-manager.io/cluster-issuer")),
    broken("tls.issuer", "unknown-cluster-issuer",
           lambda: release(ingress(annotations={"cert-manager.io/cluster-issuer": "letsencrypt-staging"})),
           (ING, "metadata.annotations[cert-manager.io/cluster-issuer]",
            "no ClusterIssuer named letsencrypt-staging is rendered (known: letsencrypt-prod)")),
    broken("tls.issuer", "gateway", lambda: release(_annotated_gateway("letsencrypt-staging")),
           ("Gateway/traefik/acme-gateway", "metadata.annotations[cert-manager.io/cluster-issuer]", "no ClusterIssuer named letsencrypt-staging is rendered (known: letsencrypt-prod)")),
    sound("tls.issuer", "gateway-with-known-issuer", lambda: release(_annotated_gateway("letsencrypt-prod"))),
    # a namespaced Issuer counts only in the object's own namespace; each annotation is read
    sound("tls.issuer", "issuer-in-the-namespace",
          lambda: release(ingress(annotations={"cert-manager.io/issuer": "acme-ca"}), reference=(issuer_doc("acme"),))),
    broken("tls.issuer", "issuer-of-another-namespace",
           lambda: release(ingress(annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod",
                                                "cert-manager.io/issuer": "acme-ca"}),
                           reference=(*REFERENCE, issuer_doc("staging"))),
           (ING, "metadata.annotations[cert-manager.io/issuer]",
            "no Issuer named acme-ca is rendered (known: letsencrypt-prod, staging/acme-ca)")),
    broken("tls.issuer", "cluster-issuer-key-for-an-issuer",
           lambda: release(ingress(annotations={"cert-manager.io/cluster-issuer": "acme-ca"}),
                           reference=(*REFERENCE, issuer_doc("acme"))),
           (ING, "metadata.annotations[cert-manager.io/cluster-issuer]", "acme-ca is a Issuer: use annotation cert-manager.io/issuer")),
    broken("tls.issuer", "cluster-issuer-key-for-an-issuer-of-another-namespace",
           lambda: release(ingress(annotations={"cert-manager.io/cluster-issuer": "acme-ca"}),
                           reference=(*REFERENCE, issuer_doc("staging"))),
           (ING, "metadata.annotations[cert-manager.io/cluster-issuer]",
            "no ClusterIssuer named acme-ca is rendered (known: letsencrypt-prod, staging/acme-ca)")),
    sound("tls.issuer", "nothing-annotated-needs-no-platform", lambda: release(ingress(annotations={}), reference=())),
    broken("tls.redirect", "ingress-without-annotation",
           lambda: release(ingress(annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"})),
           (ING, "metadata.annotations", "no HTTP->HTTPS redirect annotation (one of: alb.ingress.kubernetes.io/ssl-redirect, haproxy.org/ssl-redirect, ingress.kubernetes.io/ssl-redirect, nginx.ingress.kubernetes.io/force-ssl-redirect, nginx.ingress.kubernetes.io/ssl-redirect, traefik.ingress.kubernetes.io/redirect-entry-point, traefik.ingress.kubernetes.io/router.middlewares)")),
    broken("tls.redirect", "annotation-says-false",
           lambda: release(ingress(annotations={"nginx.ingress.kubernetes.io/ssl-redirect": "false"})),
           (ING, "metadata.annotations", "no HTTP->HTTPS redirect annotation (one of: alb.ingress.kubernetes.io/ssl-redirect, haproxy.org/ssl-redirect, ingress.kubernetes.io/ssl-redirect, nginx.ingress.kubernetes.io/force-ssl-redirect, nginx.ingress.kubernetes.io/ssl-redirect, traefik.ingress.kubernetes.io/redirect-entry-point, traefik.ingress.kubernetes.io/router.middlewares)")),
    sound("tls.redirect", "annotation-says-true",
          lambda: release(ingress(annotations={"nginx.ingress.kubernetes.io/ssl-redirect": "true"}))),
    broken("tls.redirect", "route-without-redirect-route", lambda: routed(f.httproute("acme-api", ["api.acme.com"])),
           (ROUTE, "spec.hostnames", "no HTTPRoute redirects http://api.acme.com to https (RequestRedirect scheme https)")),
    broken("tls.redirect", "redirect-route-for-another-host",
           lambda: routed(f.httproute("acme-api", ["api.acme.com"]),
                          f.httproute("acme-redirect", ["www.acme.com"], redirect=True)),
           (ROUTE, "spec.hostnames", "no HTTPRoute redirects http://api.acme.com to https (RequestRedirect scheme https)")),
    sound("tls.redirect", "route-with-redirect-route",
          lambda: routed(f.httproute("acme-api", ["api.acme.com"]),
                         f.httproute("acme-redirect", ["api.acme.com"], redirect=True))),

    # isolation
    sound("isolation.flows", "intended-environment", lambda: policies(*f.policy_environment())),
    # Pods of the namespace cannot send (default-deny egress); neighbours' egress is theirs, so it is open.
    sound("isolation.flows", "database-open-to-the-namespace-whose-egress-is-closed",
          lambda: policies(*f.policy_environment(db_policy({"podSelector": {}})))),
    broken("isolation.flows", "database-open-to-every-namespace", lambda: policies(*f.policy_environment(
        db_policy({"namespaceSelector": {}, "podSelector": {}}))),
        *[("NetworkPolicy/acme/acme-db", "spec.ingress[0]", f"unintended flow {source} -> db allowed on 5432/TCP")
          for source in ("dns", "edge", "foreign-pod", "monitoring")]),
    broken("isolation.flows", "edge-beside-its-namespace-only-edge-pods", lambda: policies(*f.policy_environment(
        db_policy({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}))),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "unintended flow edge -> db allowed on 5432/TCP"),
        # A denial is pinned on the first policy that isolates the pod.
        ("NetworkPolicy/acme/default-deny", "spec", "intended flow api -> db:5432/TCP is denied (ingress side)")),
    broken("isolation.flows", "internet-to-api", lambda: policies(*with_api_policy(api_policy(
        [{"from": [EDGE_PEER]}, {"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.244.0.0/16"]}}],
                            "ports": [{"port": 8080}]}]))),
        ("NetworkPolicy/acme/api", "spec.ingress[1]", "unintended flow internet -> api allowed on 8080/TCP")),
    broken("isolation.flows", "intended-flow-denied-on-egress", lambda: policies(*with_api_policy(api_policy(
        [{"from": [EDGE_PEER], "ports": [{"port": "http"}]}], egress=[]))),
        ("NetworkPolicy/acme/default-deny", "spec", "intended flow api -> db:5432/TCP is denied (egress side)")),
    broken("isolation.flows", "intended-flow-denied-on-ingress", lambda: policies(*f.policy_environment(
        db_policy(API_PEER, ports=[{"port": 5433}]))),
        ("NetworkPolicy/acme/default-deny", "spec", "intended flow api -> db:5432/TCP is denied (ingress side)")),
    # without the default-deny, what nothing isolates is blamed on the workload, or on the namespace of pods without one
    broken("isolation.flows", "egress-of-the-database-not-isolated", lambda: policies(*without_policies("default-deny", "dns")),
           *[("Deployment/acme/acme-database", "spec (no NetworkPolicy isolates this pod)", f"unintended flow db -> {target}")
             for target in DB_EGRESS],
           *[("Namespace/acme", "(no NetworkPolicy isolates these pods)", f"unintended flow other-acme-pod -> {target}")
             for target in DB_EGRESS],
           ("NetworkPolicy/acme/api", "spec", "intended flow api -> dns:53/TCP is denied (egress side)"),
           ("NetworkPolicy/acme/api", "spec", "intended flow api -> dns:53/UDP is denied (egress side)")),
    broken("isolation.ingress", "database-not-isolated", lambda: policies(*without_policies("default-deny", "dns", "acme-db")),
           *[("Deployment/acme/acme-database", "spec (no NetworkPolicy isolates this pod)",
              f"ingress admits {source} -> db:5432/TCP, which the contract does not allow")
             for source in ("edge", "monitoring", "dns", "internet", "other-acme-pod", "foreign-pod")]),
    sound("isolation.ingress", "intended-environment", lambda: policies(*f.policy_environment())),
    broken("isolation.ingress", "database-open-to-every-pod", lambda: policies(*f.policy_environment(
        db_policy({"podSelector": {}}, {"namespaceSelector": {}}))),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "ingress admits dns -> db:5432/TCP, which the contract does not allow"),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "ingress admits edge -> db:5432/TCP, which the contract does not allow"),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "ingress admits foreign-pod -> db:5432/TCP, which the contract does not allow"),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "ingress admits monitoring -> db:5432/TCP, which the contract does not allow"),
        ("NetworkPolicy/acme/acme-db", "spec.ingress[0]", "ingress admits other-acme-pod -> db:5432/TCP, which the contract does not allow")),
    broken("isolation.exposure", "load-balancer", lambda: exposure(f.service("database", kind="LoadBalancer")),
           ("Service/acme/acme-database", "spec.type", "LoadBalancer exposes an internal component")),
    broken("isolation.exposure", "traefik-weighted-service", lambda: exposure(_traefik_weighted("acme-database")),
           ("TraefikService/acme/acme-api", "spec.weighted.services[1]", "routes to internal Service acme-database")),
    broken("isolation.exposure", "ingress-route", lambda: exposure(_ingress_route("acme-metrics")),
           ("IngressRoute/acme/acme-api", "spec.routes[0].services[0]", "routes to internal Service acme-metrics")),
    broken("isolation.exposure", "node-port", lambda: exposure(f.service("metrics", kind="NodePort")),
           ("Service/acme/acme-metrics", "spec.type", "NodePort exposes an internal component")),
    broken("isolation.exposure", "external-ips", lambda: exposure(service("database", externalIPs=["192.0.2.10"])),
           ("Service/acme/acme-database", "spec.externalIPs", "externalIPs expose an internal component")),
    broken("isolation.exposure", "external-database-node-port", lambda: exposure(external_db_service("NodePort")),
           ("Service/acme/acme-db", "spec.type", "NodePort exposes an internal component")),
    broken("isolation.exposure", "ingress-to-database", lambda: exposure(f.ingress(backend="acme-database")),
           ("Ingress/acme/acme-database", "spec.rules[0].http.paths[0].backend.service",
            "routes to internal Service acme-database")),
    broken("isolation.exposure", "ingress-default-backend-to-metrics", lambda: exposure(_default_backend("acme-metrics")),
           ("Ingress/acme/acme-api", "spec.defaultBackend.service", "routes to internal Service acme-metrics")),
    broken("isolation.exposure", "httproute-to-metrics",
           lambda: exposure(f.httproute("acme-metrics", ["metrics.acme.com"], backend="acme-metrics")),
           ("HTTPRoute/acme/acme-metrics", "spec.rules[0].backendRefs[0]", "routes to internal Service acme-metrics")),
    broken("isolation.exposure", "grpc-tcp-and-tls-routes-to-metrics",
           lambda: exposure(*[_route_of_kind(kind, "acme-metrics") for kind in ("GRPCRoute", "TCPRoute", "TLSRoute")]),
           *[(f"{kind}/acme/acme-metrics", "spec.rules[0].backendRefs[0]", "routes to internal Service acme-metrics")
             for kind in ("GRPCRoute", "TCPRoute", "TLSRoute")]),
    # a reference names its Service's namespace when it is not the route's own
    broken("isolation.exposure", "routes-from-the-edge-namespace",
           lambda: exposure(_in_namespace(_route_refs({"name": "acme-database", "namespace": "acme", "port": 5432}), "traefik"),
                            _in_namespace(_ingress_route("acme-metrics") | {"spec": {"routes": [{"services": [
                                {"name": "acme-metrics", "namespace": "acme", "port": 80}]}]}}, "traefik")),
           ("HTTPRoute/traefik/acme-api", "spec.rules[0].backendRefs[0]", "routes to internal Service acme-database"),
           ("IngressRoute/traefik/acme-api", "spec.routes[0].services[0]", "routes to internal Service acme-metrics")),
    sound("isolation.exposure", "same-names-in-another-namespace-or-not-services",
          lambda: exposure(_in_namespace(f.httproute("edge", ["x.acme.com"], backend="acme-database"), "traefik"),
                           _route_refs({"name": "acme-database", "kind": "Backend"}, {"name": "acme-metrics", "group": "example.com"}),
                           _ingress_route("acme-metrics") | {"spec": {"routes": [{"services": [
                               {"name": "acme-metrics", "kind": "TraefikService"}]}]}},
                           _traefik_weighted("acme-database") | {"spec": {"weighted": {"services": [
                               {"name": "acme-database", "kind": "TraefikService"}]}}},
                           {**_traefik_weighted("x"), "metadata": {"name": "mirror", "namespace": "acme"},
                            "spec": {"mirroring": {"name": "acme-api"}}})),
    sound("isolation.exposure", "cluster-ip-and-public-api", lambda: exposure(f.deployment("api"), f.service("api"),
                                                                             f.ingress())),
    sound("isolation.exposure", "external-database-cluster-ip", lambda: exposure(external_db_service("ClusterIP"))),
    broken("isolation.policy-selects-pods", "selects-no-rendered-pod",
           lambda: policies(f.deployment(), _policy_for({"app.kubernetes.io/component": "backup"})),
           ("NetworkPolicy/acme/acme-db-backup-egress", "spec.podSelector", "selects no pod rendered in namespace acme")),
    broken("isolation.policy-selects-pods", "selects-pods-of-another-namespace-only",
           lambda: policies(_in_namespace(f.deployment("backup"), "staging"),
                            _policy_for({"app.kubernetes.io/component": "backup"})),
           ("NetworkPolicy/acme/acme-db-backup-egress", "spec.podSelector", "selects no pod rendered in namespace acme")),
    sound("isolation.policy-selects-pods", "every-pod-or-a-rendered-one",
          lambda: policies(f.deployment(), f.network_policy("default-deny", {}, types=["Ingress"]),
                           _policy_for({"app.kubernetes.io/component": "api"}))),
    broken("isolation.host-access", "host-network", lambda: release(api(hostNetwork=True)),
           (API, f"{POD}.hostNetwork", "hostNetwork is true")),
    broken("isolation.host-access", "host-pid", lambda: release(api(hostPID=True)), (API, f"{POD}.hostPID", "hostPID is true")),
    broken("isolation.host-access", "host-ipc", lambda: release(api(hostIPC=True)), (API, f"{POD}.hostIPC", "hostIPC is true")),
    broken("isolation.host-access", "host-port",
           lambda: release(api(c(ports=[{"name": "http", "containerPort": 8080, "hostPort": 8080}]))),
           (API, f"{C0}.ports[0].hostPort", "hostPort 8080 bypasses NetworkPolicies")),
    broken("isolation.host-access", "init-container-host-port",
           lambda: release(api(initContainers=[c(name="init", ports=[{"containerPort": 9000, "hostPort": 9000}])])),
           (API, f"{POD}.initContainers[0].ports[0].hostPort", "hostPort 9000 bypasses NetworkPolicies")),
    sound("isolation.host-access", "host-network-false", lambda: release(api(hostNetwork=False, hostPID=False))),

    # contracts
    broken("contracts.service-ports", "selects-no-pod", lambda: release(f.service("ui", name="acme-api")),
           (SVC, "spec.selector", "selects no rendered pod")),
    broken("contracts.service-ports", "target-number", lambda: release(f.service(target=9999)),
           (SVC, "spec.ports[0].targetPort", "9999 is not a container port of the selected pods")),
    broken("contracts.service-ports", "target-name", lambda: release(f.service(target="metrics")),
           (SVC, "spec.ports[0].targetPort", "'metrics' is not a container port of the selected pods")),
    sound("contracts.service-ports", "target-number-declared", lambda: release(f.service(target=8080))),
    sound("contracts.service-ports", "selector-less-service", lambda: release(external_db_service("ClusterIP"))),
    # a selector-less Service is passed over, and every Service is read whatever the ones before it lacked;
    # a port without targetPort targets its own number
    broken("contracts.service-ports", "each-service-its-own-problem",
           lambda: release(external_db_service("ClusterIP"), f.service("ui", name="acme-a"), f.service("ui", name="acme-b"),
                           {**f.service(), "spec": {**f.service()["spec"], "ports": [{"port": 8080}, {"port": 9999}]}}),
           ("Service/acme/acme-a", "spec.selector", "selects no rendered pod"),
           ("Service/acme/acme-b", "spec.selector", "selects no rendered pod"),
           (SVC, "spec.ports[1].targetPort", "9999 is not a container port of the selected pods")),
    # the ports of every selected pod template count, an init container's do not
    broken("contracts.service-ports", "port-of-an-init-container",
           lambda: release(api(initContainers=[c(name="init", ports=[{"name": "setup", "containerPort": 9000}])]),
                           {**f.service(target=9000), "metadata": {"name": "acme-init", "namespace": "acme"}}),
           ("Service/acme/acme-init", "spec.ports[0].targetPort", "9000 is not a container port of the selected pods")),
    sound("contracts.service-ports", "port-of-the-first-of-two-selected-workloads",
          lambda: release(api(c(ports=[{"name": "http", "containerPort": 8080}, {"name": "admin", "containerPort": 9000}])),
                          {**api(), "metadata": {**api()["metadata"], "name": "acme-api-canary"}},
                          {**f.service(target="admin"), "metadata": {"name": "acme-admin", "namespace": "acme"}})),
    broken("contracts.backends", "ingress-service-not-rendered", lambda: release(f.ingress(backend="acme-nothing")),
           ("Ingress/acme/acme-nothing", "spec.rules[0].http.paths[0].backend.service.name",
            "Service acme-nothing is not rendered")),
    broken("contracts.backends", "ingress-port-name", lambda: release(f.ingress(port={"name": "https"})),
           (ING, "spec.rules[0].http.paths[0].backend.service.port", "Service acme-api has no port {'name': 'https'}")),
    broken("contracts.backends", "ingress-port-number", lambda: release(f.ingress(port={"number": 8080})),
           (ING, "spec.rules[0].http.paths[0].backend.service.port", "Service acme-api has no port {'number': 8080}")),
    sound("contracts.backends", "ingress-port-number-of-the-service", lambda: release(f.ingress(port={"number": 80}))),
    broken("contracts.backends", "route-service-not-rendered",
           lambda: routed(f.httproute("acme-api", ["api.acme.com"], backend="acme-nothing")),
           (ROUTE, "spec.rules[0].backendRefs[0].name", "Service acme-nothing is not rendered")),
    broken("contracts.backends", "route-port", lambda: routed(_route_port(8080)),
           (ROUTE, "spec.rules[0].backendRefs[0].port", "Service acme-api has no port 8080")),
    sound("contracts.backends", "route", lambda: routed(f.httproute("acme-api", ["api.acme.com"]))),
    # the Service is looked up in the route's namespace, or the one its reference names
    broken("contracts.backends", "service-only-in-another-namespace",
           lambda: release(_in_namespace(f.service(), "staging"), f.ingress(), _in_namespace(_route_refs({"name": "acme-api", "port": 80}), "traefik"),
                           without=("Service",)),
           (ING, "spec.rules[0].http.paths[0].backend.service.name", "Service acme-api is not rendered"),
           ("HTTPRoute/traefik/acme-api", "spec.rules[0].backendRefs[0].name", "Service acme-api is not rendered")),
    sound("contracts.backends", "route-to-the-service-of-another-namespace",
          lambda: routed(_in_namespace(_route_refs({"name": "acme-api", "namespace": "acme", "port": 80}), "traefik"))),
    broken("contracts.postgres-url", "not-set", lambda: release(env_with("POSTGRES_URL")),
           (API, f"{C0}.env", "POSTGRES_URL is not set")),
    broken("contracts.postgres-url", "literal", lambda: release(env_with("POSTGRES_URL", "postgresql://u:p@db:5432/acme")),
           (API, f"{C0}.env[1]", "POSTGRES_URL must come from a secretKeyRef, not a literal")),
    broken("contracts.postgres-url", "secret-neither-rendered-nor-declared",
           lambda: release(env_with("POSTGRES_URL", value_from={"secretKeyRef": {"name": "vault-db", "key": "url"}})),
           (API, f"{C0}.env[1].valueFrom.secretKeyRef.name", "Secret vault-db is neither rendered nor declared as existingSecret")),
    broken("contracts.postgres-url", "secret-key-missing",
           lambda: release(env_with("POSTGRES_URL", value_from={"secretKeyRef": {"name": "acme-db-credentials",
                                                                                "key": "password"}})),
           (API, f"{C0}.env[1].valueFrom.secretKeyRef.key", "Secret acme-db-credentials has no key password (has: url)")),
    # every api container is read, whatever the ones before it lacked
    broken("contracts.postgres-url", "each-container-its-own-problem",
           lambda: release(containers_of(api(), c(name="a", env=[]),
                                         c(name="b", env=[{"name": "POSTGRES_URL", "value": "postgresql://db/acme"}]),
                                         c(name="c", env=[postgres_from("vault-db", "url")]),
                                         c(name="d", env=[postgres_from("acme-db-credentials", "password")])),
                           reference=(f.cluster_issuer(), f.secret(keys=("url", "username")))),
           (API, f"{POD}.containers[0].env", "POSTGRES_URL is not set"),
           (API, f"{POD}.containers[1].env[0]", "POSTGRES_URL must come from a secretKeyRef, not a literal"),
           (API, f"{POD}.containers[2].env[0].valueFrom.secretKeyRef.name",
            "Secret vault-db is neither rendered nor declared as existingSecret"),
           (API, f"{POD}.containers[3].env[0].valueFrom.secretKeyRef.key",
            "Secret acme-db-credentials has no key password (has: url, username)")),
    broken("contracts.postgres-url", "values-declare-another-secret",
           lambda: release(env_with("POSTGRES_URL", value_from={"secretKeyRef": {"name": "vault-db", "key": "url"}}),
                           values=[{"database": {"host": "db", "existingSecret": "other-db"}}]),
           (API, f"{C0}.env[1].valueFrom.secretKeyRef.name", "Secret vault-db is neither rendered nor declared as existingSecret")),
    broken("contracts.postgres-url", "secret-rendered-in-another-namespace",
           lambda: release(reference=(f.cluster_issuer(), _in_namespace(f.secret(), "staging"))),
           (API, f"{C0}.env[0].valueFrom.secretKeyRef.name",
            "Secret acme-db-credentials is neither rendered nor declared as existingSecret")),
    # an existingSecret anywhere in any values layer, lists and later layers notwithstanding
    sound("contracts.postgres-url", "existing-secret-in-an-earlier-layer",
          lambda: release(env_with("POSTGRES_URL", value_from={"secretKeyRef": {"name": "vault-db", "key": "url"}}),
                          values=[{"database": {"existingSecret": "vault-db"}}, {"tags": ["a", {"b": 1}], "replicas": 2}])),
    sound("contracts.postgres-url", "init-containers-are-not-the-api",
          lambda: release(api(initContainers=[c(name="init", env=[])]))),
    sound("contracts.postgres-url", "key-in-string-data",
          lambda: release(reference=(f.cluster_issuer(), {**f.secret(keys=("other",)), "stringData": {"url": "postgresql://db"}}))),
    sound("contracts.postgres-url", "existing-secret-declared-in-values",
          lambda: release(env_with("POSTGRES_URL", value_from={"secretKeyRef": {"name": "vault-db", "key": "url"}}),
                          values=[{"database": {"existingSecret": "vault-db"}}])),
    # every api workload is read whatever the ones before it lacked; init containers are not the api
    broken("contracts.metrics-url", "each-workload-its-own-problem",
           lambda: release(env_with("METRICS_URL"),
                           _renamed(env_with("METRICS_URL", value_from={"configMapKeyRef": {"name": "acme-api", "key": "metrics"}}), "acme-b"),
                           _renamed(env_with("METRICS_URL", "acme-metrics:80"), "acme-c"),
                           _renamed(api(initContainers=[c(name="init", env=[])]), "acme-d"),
                           _renamed(env_with("METRICS_URL", "http://acme-nothing:80"), "acme-e")),
           (API, f"{C0}.env", "METRICS_URL is not set"),
           ("Deployment/acme/acme-b", f"{C0}.env[1].value", "METRICS_URL has no resolvable value"),
           ("Deployment/acme/acme-c", f"{C0}.env[1].value", "acme-metrics:80: names no host (want http://SERVICE[.NAMESPACE]:PORT)"),
           ("Deployment/acme/acme-e", f"{C0}.env[1].value", "http://acme-nothing:80: Service acme/acme-nothing is not rendered")),
    # NAME.NAMESPACE names the namespace; a ConfigMap is read from the workload's namespace
    broken("contracts.metrics-url", "service-in-the-namespace-the-url-names",
           lambda: release(env_with("METRICS_URL", "http://acme-metrics.monitoring:80")),
           (API, f"{C0}.env[1].value", "http://acme-metrics.monitoring:80: Service monitoring/acme-metrics is not rendered")),
    broken("contracts.metrics-url", "configmap-only-in-another-namespace",
           lambda: release(env_with("METRICS_URL", value_from={"configMapKeyRef": {"name": "acme-api", "key": "metrics"}}),
                           _in_namespace(configmap({"metrics": "http://acme-metrics:80"}), "staging")),
           (API, f"{C0}.env[1].value", "METRICS_URL has no resolvable value")),
    broken("contracts.metrics-url", "not-set", lambda: release(env_with("METRICS_URL")),
           (API, f"{C0}.env", "METRICS_URL is not set")),
    broken("contracts.metrics-url", "unresolvable",
           lambda: release(env_with("METRICS_URL", value_from={"configMapKeyRef": {"name": "acme-api", "key": "metrics"}})),
           (API, f"{C0}.env[1].value", "METRICS_URL has no resolvable value")),
    broken("contracts.metrics-url", "service-not-rendered",
           lambda: release(env_with("METRICS_URL", "http://acme-collector.acme.svc.cluster.local:80")),
           (API, f"{C0}.env[1].value", "http://acme-collector.acme.svc.cluster.local:80: Service acme/acme-collector is not rendered")),
    broken("contracts.metrics-url", "port", lambda: release(env_with("METRICS_URL", "http://acme-metrics.acme.svc:9090")),
           (API, f"{C0}.env[1].value", "http://acme-metrics.acme.svc:9090: Service acme-metrics has no port 9090")),
    broken("contracts.metrics-url", "scheme-default-port",
           lambda: release(env_with("METRICS_URL", "https://acme-metrics.acme.svc")),
           (API, f"{C0}.env[1].value", "https://acme-metrics.acme.svc: Service acme-metrics has no port 443")),
    sound("contracts.metrics-url", "from-configmap",
          lambda: release(env_with("METRICS_URL", value_from={"configMapKeyRef": {"name": "acme-api", "key": "metrics"}}),
                          configmap({"metrics": "http://acme-metrics:80"}))),
    broken("contracts.namespace", "namespace-not-set", lambda: release(_without_namespace(f.service())),
           (SVC, "metadata.namespace", "not set; the release namespace is acme")),
    sound("contracts.namespace", "cluster-scoped-objects-have-none", lambda: release(f.cluster_issuer())),
    broken("contracts.needs", "release-used-but-not-needed", lambda: needs_environment(needs_platform=False),
           ("HelmfileRelease/acme-api", "releases[acme-api].needs", "acme-api uses objects of acme-platform but does not need it")),
    sound("contracts.needs", "needs-declared", lambda: needs_environment(needs_platform=True)),
    # the other two ways a release uses another's objects: the metrics Service by URL, the issuer by annotation
    *[broken("contracts.needs", f"metrics-url-{how}",
             lambda url=url, ns=ns: needs_environment(False, (_in_namespace(_metrics_service(), ns),),
                                                      (env_with("METRICS_URL", url),)), NEEDS_PLATFORM)
      for how, url, ns in (("fully-qualified", "http://acme-metrics.monitoring.svc.cluster.local:80", "monitoring"),
                           ("name-and-namespace", "http://acme-metrics.monitoring:80", "monitoring"),
                           ("bare-name", "http://acme-metrics:80", "acme"))],
    sound("contracts.needs", "metrics-url-of-an-unknown-service",
          lambda: needs_environment(False, (_metrics_service(),), (env_with("METRICS_URL", "http://acme-other:80"),))),
    sound("contracts.needs", "metrics-url-in-another-variable",
          lambda: needs_environment(False, (_metrics_service(),),
                                    (api(f.container(env=[{"name": "LOG_URL", "value": "http://acme-metrics:80"}])),))),
    # needs are followed through other releases, including names the helmfile does not release
    sound("contracts.needs", "needed-through-another-release", lambda: _needs_chain()),
    broken("contracts.needs", "cluster-issuer-of-an-ingress",
           lambda: needs_environment(False, (f.cluster_issuer(),), (api(f.container()), f.ingress())), NEEDS_PLATFORM),
    broken("contracts.needs", "cluster-issuer-of-a-gateway",
           lambda: needs_environment(False, (f.cluster_issuer(),), (api(f.container()), _annotated_gateway("letsencrypt-prod"))),
           NEEDS_PLATFORM),
    sound("contracts.needs", "cluster-issuer-of-no-release",
          lambda: needs_environment(False, (f.cluster_issuer("other"),), (api(f.container()), f.ingress()))),

    # security
    broken("security.pod-security", "host-path", lambda: release(api(volumes=[{"name": "h", "hostPath": {"path": "/"}}])),
           (API, f"{POD}.volumes[0].hostPath", "hostPath volume")),
    broken("security.pod-security", "privileged", lambda: release(api(c(securityContext=secured(privileged=True)))),
           (API, f"{C0}.securityContext.privileged", "container api is privileged")),
    broken("security.pod-security", "privilege-escalation",
           lambda: release(api(c(securityContext=secured(allowPrivilegeEscalation=None)))),
           (API, f"{C0}.securityContext.allowPrivilegeEscalation", "container api: must be false")),
    broken("security.pod-security", "capabilities-not-dropped",
           lambda: release(api(c(securityContext=secured(capabilities={"drop": ["NET_RAW"]})))),
           (API, f"{C0}.securityContext.capabilities.drop", "container api: must drop ALL")),
    broken("security.pod-security", "capability-added",
           lambda: release(api(c(securityContext=secured(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN",
                                                                                             "NET_BIND_SERVICE"]})))),
           (API, f"{C0}.securityContext.capabilities.add", "container api adds ['SYS_ADMIN']")),
    broken("security.pod-security", "run-as-non-root-unset",
           lambda: release(api(c(securityContext=secured(runAsNonRoot=None)))),
           (API, f"{C0}.securityContext.runAsNonRoot", "container api: runAsNonRoot must be true")),
    broken("security.pod-security", "container-overrides-pod-non-root",
           lambda: release(api(c(securityContext=secured(runAsNonRoot=False)), securityContext={"runAsNonRoot": True})),
           (API, f"{C0}.securityContext.runAsNonRoot", "container api: runAsNonRoot must be true")),
    broken("security.pod-security", "run-as-uid-0-in-pod",
           lambda: release(api(securityContext={"runAsUser": 0})),
           (API, f"{C0}.securityContext.runAsUser", "container api runs as UID 0")),
    broken("security.pod-security", "seccomp-unconfined",
           lambda: release(api(c(securityContext=secured(seccompProfile={"type": "Unconfined"})))),
           (API, f"{C0}.securityContext.seccompProfile.type", "container api: seccomp Unconfined, want RuntimeDefault")),
    broken("security.pod-security", "seccomp-unset",
           lambda: release(api(c(securityContext=secured(seccompProfile=None)))),
           (API, f"{C0}.securityContext.seccompProfile.type", "container api: seccomp unset, want RuntimeDefault")),
    broken("security.pod-security", "init-container",
           lambda: release(api(initContainers=[c(name="init", securityContext=secured(capabilities={}))])),
           (API, f"{POD}.initContainers[0].securityContext.capabilities.drop", "container init: must drop ALL")),
    # the container's runAsUser wins over the pod's, both ways
    broken("security.pod-security", "container-uid-0-over-a-pod-uid",
           lambda: release(api(c(securityContext=secured(runAsUser=0)), securityContext={"runAsUser": 1000})),
           (API, f"{C0}.securityContext.runAsUser", "container api runs as UID 0")),
    sound("security.pod-security", "container-uid-over-a-pod-uid-0",
          lambda: release(api(c(securityContext=secured(runAsUser=1000)), securityContext={"runAsUser": 0}))),
    sound("security.pod-security", "pod-level-non-root-and-seccomp",
          lambda: release(api(c(securityContext=secured(runAsNonRoot=None, seccompProfile=None)),
                              securityContext={"runAsNonRoot": True, "seccompProfile": {"type": "Localhost"}}))),
    broken("security.resources", "cpu-request", lambda: release(api(c(resources={"requests": {"memory": "1Gi"},
                                                                                    "limits": {"memory": "1Gi"}}))),
           (API, f"{C0}.resources.requests.cpu", "container api has no requests.cpu")),
    broken("security.resources", "memory-request", lambda: release(api(c(resources={"requests": {"cpu": "1"},
                                                                                       "limits": {"memory": "1Gi"}}))),
           (API, f"{C0}.resources.requests.memory", "container api has no requests.memory")),
    broken("security.resources", "memory-limit", lambda: release(api(c(resources={"requests": {"cpu": "1", "memory": "1Gi"}}))),
           (API, f"{C0}.resources.limits.memory", "container api has no limits.memory")),
    broken("security.resources", "init-container", lambda: release(api(initContainers=[c(name="init", resources={})])),
           (API, f"{POD}.initContainers[0].resources.requests.cpu", "container init has no requests.cpu"),
           (API, f"{POD}.initContainers[0].resources.requests.memory", "container init has no requests.memory"),
           (API, f"{POD}.initContainers[0].resources.limits.memory", "container init has no limits.memory")),
    sound("security.resources", "no-cpu-limit-needed", lambda: release()),
    broken("security.image-pinned", "latest", lambda: release(api(c(image="acme/api:latest"))),
           (API, f"{C0}.image", "acme/api:latest uses the latest tag")),
    broken("security.image-pinned", "untagged", lambda: release(api(c(image="acme/api"))),
           (API, f"{C0}.image", "acme/api has no tag (means latest)")),
    broken("security.image-pinned", "registry-port-untagged", lambda: release(api(c(image="registry.acme.com:5000/acme/api"))),
           (API, f"{C0}.image", "registry.acme.com:5000/acme/api has no tag (means latest)")),
    broken("security.image-pinned", "init-container", lambda: release(api(initContainers=[c(name="init", image="busybox")])),
           (API, f"{POD}.initContainers[0].image", "busybox has no tag (means latest)")),
    # a container without an image is named as such, and the containers after it are still read
    broken("security.image-pinned", "no-image-then-latest",
           lambda: release(containers_of(api(), {k: v for k, v in c(name="a").items() if k != "image"}, c(name="b", image="acme/api:latest"))),
           (API, f"{POD}.containers[0].image", "no image: nothing pins what runs"),
           (API, f"{POD}.containers[1].image", "acme/api:latest uses the latest tag")),
    sound("security.image-pinned", "digest", lambda: release(api(c(image="acme/api@sha256:" + "0" * 64)))),
    sound("security.image-pinned", "registry-port-tagged", lambda: release(api(c(image="registry.acme.com:5000/acme/api:1.2")))),
    broken("security.credentials", "configmap-key", lambda: release(configmap({"DB_PASSWORD": "hunter2", "LOG": "info"})),
           ("ConfigMap/acme/acme-api", "data.DB_PASSWORD", "credential-like key in a ConfigMap")),
    broken("security.credentials", "configmap-camel-case-key", lambda: release(configmap({"apiToken": "abc"})),
           ("ConfigMap/acme/acme-api", "data.apiToken", "credential-like key in a ConfigMap")),
    # two-word credentials however the key joins its words
    broken("security.credentials", "configmap-two-word-keys",
           lambda: release(configmap({"clientApiKey": "a", "TLS-PRIVATE-KEY": "b", "SSH_PRIVATE_KEY": "c"})),
           *[("ConfigMap/acme/acme-api", f"data.{key}", "credential-like key in a ConfigMap")
             for key in ("clientApiKey", "TLS-PRIVATE-KEY", "SSH_PRIVATE_KEY")]),
    broken("security.credentials", "configmap-url-password",
           lambda: release(configmap({"DATABASE": "postgresql://acme:s3cret@acme-db:5432/acme"})),
           ("ConfigMap/acme/acme-api", "data.DATABASE", "URL with a password in a ConfigMap")),
    broken("security.credentials", "env-literal", lambda: release(api(c(env=[{"name": "DB_PASSWORD", "value": "hunter2"}]))),
           (API, f"{C0}.env[0].value", "DB_PASSWORD holds a literal credential; use a secretKeyRef")),
    broken("security.credentials", "env-url-password",
           lambda: release(api(c(env=[{"name": "UPSTREAM", "value": "https://bot:t0ken@api.example.com/"}]))),
           (API, f"{C0}.env[0].value", "UPSTREAM holds a literal credential; use a secretKeyRef")),
    broken("security.credentials", "empty-value-then-a-literal",
           lambda: release(api(c(env=[{"name": "API_TOKEN", "value": ""}, {"name": "DB_PASSWORD", "value": "hunter2"}]))),
           (API, f"{C0}.env[1].value", "DB_PASSWORD holds a literal credential; use a secretKeyRef")),
    sound("security.credentials", "empty-values-and-other-words",
          lambda: release(configmap({"DB_PASSWORD": "", "PASSWORD_FILE": "/run/secrets/db", "URL": "https://acme.com/"}),
                          api(c(env=[{"name": "API_TOKEN", "value": ""}, *API_ENV])))),

    # collector
    broken("collector.single-writer", "two-replicas", lambda: collector(replicas=2),
           (COLLECTOR, "spec.replicas", "2 collector replicas: a group re-pushed to another replica leaves a stale copy that Prometheus keeps scraping")),
    broken("collector.single-writer", "deployment", lambda: collector(kind="Deployment"),
           ("Deployment/acme/acme-metrics", "kind", "Deployment behind Service acme-metrics: it runs collector pods side by side (rolling update surge, one per node), each with its own copy of the pushed groups; a StatefulSet never runs two pods of one ordinal")),
    broken("collector.single-writer", "daemonset", lambda: collector(kind="DaemonSet"),
           ("DaemonSet/acme/acme-metrics", "kind", "DaemonSet behind Service acme-metrics: it runs collector pods side by side (rolling update surge, one per node), each with its own copy of the pushed groups; a StatefulSet never runs two pods of one ordinal")),
    broken("collector.single-writer", "hpa", lambda: collector(hpa=True),
           ("HorizontalPodAutoscaler/acme/acme-metrics", "spec.scaleTargetRef", "scales the collector StatefulSet/acme/acme-metrics: every replica beyond one serves stale copies of re-pushed groups")),
    sound("collector.single-writer", "one-replica-statefulset", lambda: collector()),
    sound("collector.single-writer", "other-services-are-not-the-collector",
          lambda: collector(service_name="acme-metrics-internal", replicas=3)),
    # another Service first; every workload behind the collector Service is its own problem, an HPA's included
    broken("collector.single-writer", "each-collector-its-own-problem",
           lambda: collector(hpa=True, before=(f.service("api", name="acme-api"),),
                             after=(_renamed(f.deployment("metrics"), "acme-metrics-b"),)),
           ("HorizontalPodAutoscaler/acme/acme-metrics", "spec.scaleTargetRef",
            "scales the collector StatefulSet/acme/acme-metrics: every replica beyond one serves stale copies of re-pushed groups"),
           ("Deployment/acme/acme-metrics-b", "kind", "Deployment behind Service acme-metrics: it runs collector pods side by side (rolling update surge, one per node), each with its own copy of the pushed groups; a StatefulSet never runs two pods of one ordinal"),
           ("Deployment/acme/acme-metrics-b", "spec.replicas",
            "3 collector replicas: a group re-pushed to another replica leaves a stale copy that Prometheus keeps scraping")),
    # a DaemonSet's leftover replicas field is not what runs it
    broken("collector.single-writer", "daemonset-with-a-replicas-field", lambda: collector(kind="DaemonSet", replicas=2),
           ("DaemonSet/acme/acme-metrics", "kind", "DaemonSet behind Service acme-metrics: it runs collector pods side by side (rolling update surge, one per node), each with its own copy of the pushed groups; a StatefulSet never runs two pods of one ordinal")),
    # only serving workloads of the Service's namespace that it selects are the collector
    sound("collector.single-writer", "what-the-service-does-not-select",
          lambda: collector(after=(f.deployment("api"), _in_namespace(_renamed(f.deployment("metrics"), "acme-metrics-staging"), "staging"),
                                   {**job(), "spec": {"template": {**job()["spec"]["template"], "metadata": {"labels": f.labels("metrics")}}}}))),
    broken("collector.persisted-state", "no-state-file", lambda: collector(args=["--web.listen-address=:9091"]),
           (COLLECTOR, f"{C0}.args", "no --persistence.file: a restart or rollout loses every pushed group")),
    broken("collector.persisted-state", "state-on-the-container-filesystem",
           lambda: collector(args=["--persistence.file=/tmp/pushgateway.state"]),
           (COLLECTOR, f"{C0}.args", "--persistence.file /tmp/pushgateway.state is on the container's own filesystem, which is lost with the pod")),
    broken("collector.persisted-state", "state-on-an-empty-dir", lambda: collector(claim=False),
           (COLLECTOR, f"{C0}.volumeMounts", "/data/pushgateway.state is on volume 'data', not a PersistentVolumeClaim: lost with the pod")),
    broken("collector.persisted-state", "state-read-only", lambda: collector(read_only=True),
           (COLLECTOR, f"{C0}.volumeMounts", "/data/pushgateway.state is on a read-only mount of 'data': the collector cannot write it")),
    sound("collector.persisted-state", "state-on-a-claim-flag-and-value-apart",
          lambda: collector(args=["--web.listen-address=:9091", "--persistence.file", "/data/pushgateway.state"])),
    sound("collector.persisted-state", "flag-after-another-in-the-command",
          lambda: collector(args=[], edit=lambda gw, pod, svc: gw.update(
              command=["/bin/pushgateway", "--web.listen-address=:9091", "--persistence.file=/data/pushgateway.state"]))),
    broken("collector.persisted-state", "flag-without-a-value", lambda: collector(args=["--persistence.file"]),
           (COLLECTOR, f"{C0}.args", "no --persistence.file: a restart or rollout loses every pushed group")),
    broken("collector.persisted-state", "state-path-with-an-equals-sign", lambda: collector(args=["--persistence.file=/tmp/a=b"]),
           (COLLECTOR, f"{C0}.args", "--persistence.file /tmp/a=b is on the container's own filesystem, which is lost with the pod")),
    sound("collector.persisted-state", "mount-path-with-a-trailing-slash",
          lambda: collector(edit=lambda gw, pod, svc: gw["volumeMounts"][0].update(mountPath="/data/"))),
    # the containers the Service sends to: by port name, by number, or by its port when targetPort is unset
    *[broken("collector.persisted-state", f"served-{how}", lambda ports=ports: collector(
        args=[], edit=lambda gw, pod, svc: svc["spec"].update(ports=ports)),
        (COLLECTOR, f"{C0}.args", "no --persistence.file: a restart or rollout loses every pushed group"))
      for how, ports in (("by-target-port-number", [{"name": "http", "port": 80, "targetPort": 9091}]),
                         ("by-port-without-target-port", [{"name": "http", "port": 9091}]))],
    broken("collector.persisted-state", "a-sidecar-first",
           lambda: collector(args=[], edit=lambda gw, pod, svc: pod["containers"].insert(
               0, c(name="sidecar", ports=[{"name": "admin", "containerPort": 9000}]))),
           (COLLECTOR, f"{POD}.containers[1].args", "no --persistence.file: a restart or rollout loses every pushed group")),
    sound("collector.persisted-state", "an-init-container-on-the-port-is-not-the-collector",
          lambda: collector(edit=lambda gw, pod, svc: pod.update(initContainers=[
              c(name="migrate", ports=[{"name": "http", "containerPort": 9091}], args=[])]))),
    sound("collector.persisted-state", "claimed-pod-volume-and-a-sidecar", lambda: collector(claim="pod", sidecar=True)),
    sound("collector.persisted-state", "the-deepest-mount-holds-the-state", lambda: collector(nested=True)),
    # each serving container is its own problem; a mount path is a whole directory; a mount without a path holds nothing
    broken("collector.persisted-state", "each-serving-container-its-own-problem",
           lambda: collector(args=[], edit=lambda gw, pod, svc: (
               pod["containers"].extend([
                   c(name="b", ports=[{"name": "b", "containerPort": 9092}], args=["--persistence.file=/dataX/b.state"],
                     volumeMounts=[{"name": "data", "mountPath": "/data"}]),
                   c(name="c", ports=[{"name": "c", "containerPort": 9093}], args=["--persistence.file=/scratch/c.state"],
                     volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}]),
                   c(name="d", ports=[{"name": "d", "containerPort": 9094}], args=["--persistence.file=/data/d.state"],
                     volumeMounts=[{"name": "data", "mountPath": "/dataX"}, {"name": "data"}])]),
               pod.update(volumes=[{"name": "scratch", "emptyDir": {}}]),
               svc["spec"].update(ports=[{"name": n, "port": 80 + i, "targetPort": n} for i, n in enumerate(("http", "b", "c", "d"))]))),
           (COLLECTOR, f"{C0}.args", "no --persistence.file: a restart or rollout loses every pushed group"),
           (COLLECTOR, f"{POD}.containers[1].args", "--persistence.file /dataX/b.state is on the container's own filesystem, which is lost with the pod"),
           (COLLECTOR, f"{POD}.containers[2].volumeMounts", "/scratch/c.state is on volume 'scratch', not a PersistentVolumeClaim: lost with the pod"),
           (COLLECTOR, f"{POD}.containers[3].args", "--persistence.file /data/d.state is on the container's own filesystem, which is lost with the pod")),
    sound("collector.persisted-state", "claim-template-without-metadata-beside-the-claim",
          lambda: _unnamed_claim_first(collector())),
    broken("collector.scraped-once", "two-services-with-the-port", lambda: collector(headless_port=True),
           ("ServiceMonitor/monitoring/acme-metrics", "spec.selector",
            "scrapes the collector pods through 2 Services (acme-metrics, acme-metrics-headless): every pushed series is scraped once per Service")),
    broken("collector.scraped-once", "monitor-by-target-port", lambda: collector(by_target_port=True),
           ("ServiceMonitor/monitoring/acme-metrics", "spec.selector", "scrapes the collector pods through 2 Services (acme-metrics, acme-metrics-headless): every pushed series is scraped once per Service")),
    # the monitor's selector and namespaces decide which Services count; a Service counts only if it selects the collector
    sound("collector.scraped-once", "services-the-monitor-does-not-count",
          lambda: collector(after=(_labelled(f.service("metrics", name="acme-metrics-debug"), {"app": "debug"}),
                                   _labelled(f.service("api", name="acme-api-metrics"), f.labels("metrics"))))),
    sound("collector.scraped-once", "monitor-looking-in-another-namespace",
          lambda: collector(headless_port=True, watch={"matchNames": ["monitoring"]})),
    sound("collector.scraped-once", "monitor-looking-anywhere", lambda: collector(watch={"any": True})),
    sound("collector.scraped-once", "headless-service-without-ports", lambda: collector()),

    # statefulset
    broken("statefulset.governing-service", "service-not-rendered", lambda: f.scenario(f.statefulset()),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "Service acme-db-headless is not rendered by release acme-api")),
    broken("statefulset.governing-service", "service-of-another-release",
           lambda: _other_release(f.statefulset(), f.headless_service()),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "Service acme-db-headless is not rendered by release acme-api")),
    broken("statefulset.governing-service", "cluster-ip-service",
           lambda: f.scenario(f.statefulset(), f.service("database", name="acme-db-headless")),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "Service acme-db-headless is not headless (clusterIP: None); a ClusterIP Service gives the pods no DNS names of their own")),
    broken("statefulset.governing-service", "service-selects-other-pods",
           lambda: f.scenario(f.statefulset(), f.headless_service(component="api")),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "Service acme-db-headless does not select the StatefulSet's pods")),
    broken("statefulset.governing-service", "unset", lambda: f.scenario(f.statefulset(None)),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "not set: the pods get no stable DNS names")),
    sound("statefulset.governing-service", "headless-service-selecting-the-pods",
          lambda: f.scenario(f.statefulset(), f.headless_service())),

    # storage
    broken("storage.emptydir-size-limit", "unbounded", lambda: release(api(volumes=[{"name": "tmp", "emptyDir": {}}])),
           (API, f"{POD}.volumes[0].emptyDir.sizeLimit",
            "volume tmp has no sizeLimit")),
    broken("storage.emptydir-size-limit", "memory-backed-too",
           lambda: release(api(volumes=[{"name": "cfg", "configMap": {"name": "x"}},
                                        {"name": "shm", "emptyDir": {"medium": "Memory"}}])),
           (API, f"{POD}.volumes[1].emptyDir.sizeLimit", "volume shm has no sizeLimit")),
    broken("storage.emptydir-size-limit", "cronjob", lambda: f.scenario(f.cronjob(volumes=[{"name": "dump", "emptyDir": {}}])),
           ("CronJob/acme/acme-db-backup", "spec.jobTemplate.spec.template.spec.volumes[0].emptyDir.sizeLimit",
            "volume dump has no sizeLimit")),
    sound("storage.emptydir-size-limit", "bounded",
          lambda: release(api(volumes=[{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]))),
    broken("storage.ephemeral-request", "nothing-requested", lambda: f.scenario(_scratch_job(volume="2Gi")),
           ("CronJob/acme/acme-db-backup", f"{BATCH_POD}.containers[0].resources.requests.ephemeral-storage",
            "the pod requests 0Mi of ephemeral storage, its disk-backed emptyDirs may hold 2048Mi")),
    broken("storage.ephemeral-request", "less-than-the-volumes",
           lambda: f.scenario(_scratch_job("1Gi", "512Mi", volume="1Gi", second_volume="2Gi")),
           ("CronJob/acme/acme-db-backup", f"{BATCH_POD}.containers[0].resources.requests.ephemeral-storage",
            "the pod requests 1536Mi of ephemeral storage, its disk-backed emptyDirs may hold 3072Mi")),
    broken("storage.ephemeral-request", "job", lambda: f.scenario(_as_job(_scratch_job(volume="1Gi"))),
           ("Job/acme/acme-db-backup", "spec.template.spec.containers[0].resources.requests.ephemeral-storage",
            "the pod requests 0Mi of ephemeral storage, its disk-backed emptyDirs may hold 1024Mi")),
    sound("storage.ephemeral-request", "containers-request-exactly-the-volumes",
          lambda: f.scenario(_scratch_job("1Gi", "1Gi", volume="2Gi"))),
    sound("storage.ephemeral-request", "the-biggest-init-container-counts",
          lambda: f.scenario(_scratch_job("1Gi", init="2Gi", volume="2Gi"))),
    sound("storage.ephemeral-request", "memory-and-unbounded-volumes-hold-no-disk",
          lambda: f.scenario(_scratch_job(volume="2Gi", medium="Memory"), f.cronjob(name="b", volumes=[
              {"name": "x", "emptyDir": {}}]))),
    sound("storage.ephemeral-request", "serving-pods-are-not-batch",
          lambda: release(api(volumes=[{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}]))),

    # upgrade
    broken("upgrade.immutable-fields", "deployment-selector",
           lambda: release(baseline=(with_selector(api(), {"app": "old"}),)),
           (API, "spec.selector", "changed from {'matchLabels': {'app': 'old'}} to {'matchLabels': {'app.kubernetes.io/name': 'acme-api', 'app.kubernetes.io/instance': 'acme-api', 'app.kubernetes.io/component': 'api'}}: immutable on upgrade")),
    broken("upgrade.immutable-fields", "statefulset-service-name",
           lambda: release(_sts(service_name="acme-api"), baseline=(_sts(service_name="acme-api-headless"),)),
           (STS, "spec.serviceName", "changed from 'acme-api-headless' to 'acme-api': immutable on upgrade")),
    broken("upgrade.immutable-fields", "service-type-from-default",
           lambda: release(f.service(kind="NodePort"), baseline=(_untyped_service(),)),
           (SVC, "spec.type", "changed from None to 'NodePort': immutable on upgrade")),
    sound("upgrade.immutable-fields", "field-the-chart-keeps-from-the-live-object",
          lambda: f.scenario(f.statefulset(annotations={"acme.com/upgrade-keeps-live": "spec.serviceName"}),
                             baseline=(f.statefulset("acme-db"),))),
    broken("upgrade.immutable-fields", "chart-keeps-another-field",
           lambda: f.scenario(f.statefulset(annotations={"acme.com/upgrade-keeps-live": "spec.podManagementPolicy, x"}),
                              baseline=(f.statefulset("acme-db"),)),
           ("StatefulSet/acme/acme-db", "spec.serviceName", "changed from 'acme-db' to 'acme-db-headless': immutable on upgrade")),
    sound("upgrade.immutable-fields", "service-type-default-spelled-out",
          lambda: release(f.service(kind="ClusterIP"), baseline=(_untyped_service(),))),
    # objects new at this ref are passed over; a kept field is passed over, not the end of the object's fields
    broken("upgrade.immutable-fields", "new-object-first-and-a-field-after-a-kept-one",
           lambda: f.scenario(f.headless_service("acme-new"), configmap({}, "acme-seed"),
                              {**f.statefulset(annotations={"acme.com/upgrade-keeps-live": "spec.serviceName, spec.selector"}),
                               "spec": {**f.statefulset()["spec"], "podManagementPolicy": "Parallel",
                                        "selector": {"matchLabels": {"app": "new"}}}},
                              baseline=(configmap({}, "acme-seed"), f.statefulset("acme-db"))),
           ("StatefulSet/acme/acme-db", "spec.podManagementPolicy", "changed from None to 'Parallel': immutable on upgrade")),
    # the default stands for an unset value on either side; a namesake in another namespace is another object
    sound("upgrade.immutable-fields", "service-type-default-dropped", lambda: release(_untyped_service(), baseline=(f.service(kind="ClusterIP"),))),
    sound("upgrade.immutable-fields", "namesake-in-another-namespace",
          lambda: release(baseline=(_in_namespace(with_selector(api(), {"app": "old"}), "staging"),))),
    sound("upgrade.immutable-fields", "objects-without-a-spec",
          lambda: release({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "acme-bare", "namespace": "acme"}},
                          baseline=({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "acme-bare", "namespace": "acme"}},))),
    sound("upgrade.immutable-fields", "mutable-fields-change", lambda: release(api(replicas=None, grace=90), baseline=(api(),))),
    broken("upgrade.removed-resources", "pvc",
           lambda: release(baseline=({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                      "metadata": {"name": "data-acme-db-0", "namespace": "acme"}},)),
           ("PersistentVolumeClaim/acme/data-acme-db-0", "metadata.name", "PVC removed: its data would be orphaned or deleted")),
    broken("upgrade.removed-resources", "kept-object",
           lambda: release(baseline=(configmap({}, "acme-seed", {"helm.sh/resource-policy": "keep"}),)),
           ("ConfigMap/acme/acme-seed", "metadata.annotations[helm.sh/resource-policy]", "object marked keep is no longer rendered")),
    # the same kind, name and namespace still rendered is not a removal; each old object is looked at
    broken("upgrade.removed-resources", "kept-object-still-rendered-beside-a-removed-one",
           lambda: release(configmap({}, "acme-seed", KEEP),
                           baseline=(configmap({}, "acme-seed", KEEP), configmap({}, "acme-seed-2", KEEP))),
           ("ConfigMap/acme/acme-seed-2", "metadata.annotations[helm.sh/resource-policy]", "object marked keep is no longer rendered")),
    broken("upgrade.removed-resources", "kept-object-moved-to-another-namespace",
           lambda: release(_in_namespace(configmap({}, "acme-seed", KEEP), "staging"),
                           baseline=(configmap({}, "acme-seed", KEEP),)),
           ("ConfigMap/acme/acme-seed", "metadata.annotations[helm.sh/resource-policy]", "object marked keep is no longer rendered")),
    sound("upgrade.removed-resources", "ordinary-object-removed",
          lambda: release(baseline=(configmap({}, "acme-seed", {"helm.sh/resource-policy": "delete"}),))),

    # schema, render
    broken("schema.kubernetes", "wrong-type", lambda: with_schemas(configmap({"a": 1}, name="c")),
           ("ConfigMap/acme/c", "data.a", "1 is not of type 'string'")),
    sound("schema.kubernetes", "valid", lambda: with_schemas(configmap({"a": "b"}, name="c"))),
    broken("render.template", "helm-failed", render_failed,
           ("HelmRelease/acme-api", "values", "acme-api: Error: values don't meet the specifications of the schema")),
    sound("render.template", "rendered", lambda: release()),

    # backup
    bad_cron("minute-out-of-range", "61 3 * * *", "'61 3 * * *': minute field '61': '61' is outside 0-59"),
    bad_cron("time-zone-prefix", "TZ=UTC 0 3 * * *", "'TZ=UTC 0 3 * * *': time zones in the schedule are rejected by Kubernetes; use spec.timeZone"),
    bad_cron("six-fields", "0 0 3 * * *", "'0 0 3 * * *': 6 fields, want 5 (minute hour day-of-month month day-of-week) or a macro"),
    bad_cron("range-backwards", "0 5-1 * * *", "'0 5-1 * * *': hour field '5-1': range '5-1' runs backwards"),
    bad_cron("step-zero", "*/0 3 * * *", "'*/0 3 * * *': minute field '*/0': a step must be at least 1"),
    bad_cron("unparsable-item", "0 3 L * *", "'0 3 L * *': day of month field 'l': 'l' is outside 1-31"),
    bad_cron("garbage", "0 3 * * mon,,fri", "'0 3 * * mon,,fri': day of week field 'mon,,fri': cannot parse ''"),
    bad_cron("cron-tz-prefix", "CRON_TZ=Europe/Berlin 0 3 * * *",
             "'CRON_TZ=Europe/Berlin 0 3 * * *': time zones in the schedule are rejected by Kubernetes; use spec.timeZone"),
    # another vendor's Schedule first; each object is its own problem, a missing schedule too
    broken("backup.cron", "each-schedule-its-own-problem",
           lambda: backups({**cronjob(name="b"), "spec": {k: v for k, v in cronjob()["spec"].items() if k != "schedule"}},
                           cronjob("0 25 * * *"), velero_schedule("0 25 * * *", api_version="example.com/v1"),
                           _renamed(velero_schedule("0 24 * * *"), "acme-hourly")),
           ("CronJob/acme/b", "spec.schedule", "no schedule: it never runs"),
           ("CronJob/acme/acme-db-backup", "spec.schedule", "'0 25 * * *': hour field '25': '25' is outside 0-23"),
           ("Schedule/acme/acme-hourly", "spec.schedule", "'0 24 * * *': hour field '24': '24' is outside 0-23")),
    # the boundaries robfig/cron accepts: a step of 1, a range of one value, '?' for any
    sound("backup.cron", "step-one-single-value-range-and-any",
          lambda: backups(cronjob("*/1 3-3 ? * 1-1"))),
    broken("backup.cron", "velero-schedule", lambda: backups(velero_schedule("0 25 * * *")),
           ("Schedule/acme/acme-daily", "spec.schedule", "'0 25 * * *': hour field '25': '25' is outside 0-23")),
    sound("backup.cron", "names-macros-and-every",
          lambda: backups(cronjob("0 3 * jan-dec mon-fri"), cronjob("@daily", name="b"), cronjob("@every 1h30m", name="c"),
                          cronjob("0 3 * * 7", name="d"), velero_schedule("0 25 * * *", api_version="example.com/v1"))),
    broken("backup.concurrency-forbid", "default-allow", lambda: backups(cronjob(policy=None)),
           ("CronJob/acme/acme-db-backup", "spec.concurrencyPolicy", "Allow, want Forbid")),
    broken("backup.concurrency-forbid", "replace", lambda: backups(cronjob(policy="Replace")),
           ("CronJob/acme/acme-db-backup", "spec.concurrencyPolicy", "Replace, want Forbid")),
    broken("backup.concurrency-forbid", "drill-allow",
           lambda: backups(cronjob(policy="Allow", component="restore-drill", name="acme-restore-drill")),
           (DRILL, "spec.concurrencyPolicy", "Allow, want Forbid")),
    broken("backup.restore-drill", "scratch-is-the-live-database",
           lambda: backups(dump_cronjob(), drill_cronjob(scratch="acme"), credentials()),
           (DRILL, f"{DRILL_C0}.env[1].value",
            "SCRATCH_DATABASE 'acme' is the live database 'acme': the drill drops and recreates it")),
    broken("backup.restore-drill", "scratch-is-the-live-database-in-string-data",
           lambda: backups(dump_cronjob(), drill_cronjob(scratch="orders"), credentials("orders", string_data=True)),
           (DRILL, f"{DRILL_C0}.env[1].value",
            "SCRATCH_DATABASE 'orders' is the live database 'orders': the drill drops and recreates it")),
    broken("backup.restore-drill", "no-scratch-database",
           lambda: backups(dump_cronjob(), drill_cronjob(scratch=None), credentials()),
           (DRILL, f"{DRILL_C0}.env", "no SCRATCH_DATABASE: the drill has nowhere to restore")),
    broken("backup.restore-drill", "other-prefix-than-the-dump",
           lambda: backups(dump_cronjob(), drill_cronjob(S3_PREFIX="acme-db-old"), credentials()),
           (DRILL, f"{DRILL_C0}.env[4].value", "S3_PREFIX 'acme-db-old', but acme-db-backup uploads to 'acme-db': "
                                               "the drill would restore other backups than the dump writes")),
    broken("backup.restore-drill", "other-bucket-than-the-dump",
           lambda: backups(dump_cronjob(S3_BUCKET="acme-backups-new"), drill_cronjob(), credentials()),
           (DRILL, f"{DRILL_C0}.env[3].value", "S3_BUCKET 'acme-backups', but acme-db-backup uploads to "
                                               "'acme-backups-new': the drill would restore other backups than the dump writes")),
    broken("backup.restore-drill", "no-dump",
           lambda: backups(drill_cronjob(), credentials()),
           (DRILL, DRILL_C0, "no dump CronJob acme-db-backup: the drill has no backups to restore")),
    sound("backup.restore-drill", "scratch-beside-the-dump", lambda: backups(dump_cronjob(), drill_cronjob(), credentials())),
    sound("backup.restore-drill", "live-name-unknown-with-an-existing-secret",
          lambda: backups(dump_cronjob(), drill_cronjob(scratch="acme"))),
    # a setting one side leaves out counts as empty; only the dump's containers are what it uploads to
    broken("backup.restore-drill", "drill-without-the-endpoint",
           lambda: backups(dump_cronjob(), without_env(drill_cronjob(), "S3_ENDPOINT"), credentials()),
           (DRILL, f"{DRILL_C0}.env", "S3_ENDPOINT '', but acme-db-backup uploads to 'https://minio.storage.internal:9000': "
                                     "the drill would restore other backups than the dump writes")),
    broken("backup.restore-drill", "dump-without-the-bucket",
           lambda: backups(without_env(dump_cronjob(), "S3_BUCKET"), drill_cronjob(), credentials()),
           (DRILL, f"{DRILL_C0}.env[3].value", "S3_BUCKET 'acme-backups', but acme-db-backup uploads to '': "
                                               "the drill would restore other backups than the dump writes")),
    sound("backup.restore-drill", "neither-sets-the-endpoint",
          lambda: backups(without_env(dump_cronjob(), "S3_ENDPOINT"), without_env(drill_cronjob(), "S3_ENDPOINT"), credentials())),
    broken("backup.restore-drill", "sidecar-before-the-drill-container",
           lambda: backups(dump_cronjob(), with_containers(drill_cronjob(scratch=None), before=[c(name="proxy", env=[])]),
                           credentials()),
           (DRILL, f"{BATCH_POD}.containers[1].env", "no SCRATCH_DATABASE: the drill has nowhere to restore")),
    sound("backup.restore-drill", "init-containers-and-other-backups-are-not-the-dump",
          lambda: backups(with_containers(dump_cronjob(), init=[c(name="prepare", env=[{"name": "S3_PREFIX", "value": "x"}])]),
                          cronjob(name="acme-etcd-backup") | {"spec": dump_cronjob(S3_PREFIX="etcd")["spec"]},
                          with_containers(drill_cronjob(), init=[c(name="wait", env=[DATABASE_ENV])]), credentials())),
    sound("backup.restore-drill", "live-name-not-in-the-secret",
          lambda: backups(dump_cronjob(), drill_cronjob(scratch="acme"),
                          {**f.secret(), "data": None, "stringData": {"url": "postgres://x"}})),
    broken("backup.concurrency-forbid", "other-cronjob-first",
           lambda: backups(cronjob(policy=None, component="report", name="acme-report"), cronjob(policy="Replace")),
           ("CronJob/acme/acme-db-backup", "spec.concurrencyPolicy", "Replace, want Forbid")),
    # the live database's Secret is the drill's namespace's; a Job named like the dump is not the dump;
    # containers without env are read as having none
    sound("backup.restore-drill", "same-names-elsewhere-are-not-the-dump-or-the-secret",
          lambda: backups(_in_namespace(credentials("acme_restore_drill"), "staging"), dump_cronjob(),
                          _as_job(dump_cronjob(S3_PREFIX="manual")),
                          with_containers(drill_cronjob(), before=[f.container(name="log")]), credentials())),
    sound("backup.concurrency-forbid", "forbid-and-other-cronjobs",
          lambda: backups(cronjob(), cronjob(policy=None, component="report", name="acme-report"))),

    # longterm
    sound("longterm.metrics-remote-write", "production", lambda: upstream_environment()),
    broken("longterm.metrics-remote-write", "no-remote-write",
           lambda: upstream_environment(**{"kube-prometheus-stack": {"prometheus": {"prometheusSpec": {"remoteWrite": []}}}}),
           (KPS, "prometheus.prometheusSpec.remoteWrite", f"no remote write: samples never reach Mimir ({PUSH})")),
    broken("longterm.metrics-remote-write", "no-mimir-release", lambda: upstream_environment(drop=("mimir",)),
           (KPS, "prometheus.prometheusSpec.remoteWrite",
            "no grafana/mimir-distributed release in the environment: metrics live only in Prometheus' local retention")),
    broken("longterm.metrics-remote-write", "writes-elsewhere",
           lambda: upstream_environment(**{"kube-prometheus-stack": {"prometheus": {"prometheusSpec": {"remoteWrite": [
               {"url": "http://mimir-gateway.observability.svc.cluster.local/api/v1/push"},
               {"url": "http://mimir-gateway.monitoring.svc.cluster.local/api/v1/query"}]}}}}),
           (KPS, "prometheus.prometheusSpec.remoteWrite[0].url", "'http://mimir-gateway.observability.svc.cluster.local/api/v1/push' "
            f"is not the push endpoint of Mimir release monitoring/mimir ({PUSH})"),
           (KPS, "prometheus.prometheusSpec.remoteWrite[1].url", "'http://mimir-gateway.monitoring.svc.cluster.local/api/v1/query' "
            f"is not the push endpoint of Mimir release monitoring/mimir ({PUSH})")),
    broken("longterm.metrics-remote-write", "bundled-minio", lambda: upstream_environment(mimir={"minio": {"enabled": True}}),
           (MIMIR, "minio.enabled", "the bundled MinIO is a demo store: disable it and use the cloud's object storage")),
    broken("longterm.metrics-remote-write", "blocks-on-filesystem",
           lambda: upstream_environment(mimir={"mimir": {"structuredConfig": {"common": {"storage": {"backend": "filesystem"}}}}}),
           (MIMIR, "mimir.structuredConfig.common.storage.backend",
            "blocks on filesystem storage, want object storage (s3, gcs, azure, swift)")),
    broken("longterm.metrics-remote-write", "no-blocks-bucket",
           lambda: upstream_environment(mimir={"mimir": {"structuredConfig": {"blocks_storage": {"s3": {"bucket_name": None}}}}}),
           (MIMIR, "mimir.structuredConfig.blocks_storage.s3.bucket_name", "no bucket for the blocks")),
    broken("longterm.metrics-remote-write", "no-retention",
           lambda: upstream_environment(mimir={"mimir": {"structuredConfig": {"limits": {"compactor_blocks_retention_period": "0s"}}}}),
           (MIMIR, "mimir.structuredConfig.limits.compactor_blocks_retention_period",
            "no retention: the compactor never deletes blocks and the bucket grows forever")),
    broken("longterm.metrics-remote-write", "remote-write-without-url",
           lambda: upstream_environment(**{"kube-prometheus-stack": {"prometheus": {"prometheusSpec": {"remoteWrite": [
               {"url": "http://mimir-gateway.monitoring.svc.cluster.local/api/v1/push"}, {"name": "second"}]}}}}),
           (KPS, "prometheus.prometheusSpec.remoteWrite[1].url",
            f"'' is not the push endpoint of Mimir release monitoring/mimir ({PUSH})")),
    broken("longterm.metrics-remote-write", "blocks-backend-before-the-common-one",
           lambda: upstream_environment(mimir={"mimir": {"structuredConfig": {"blocks_storage": {"backend": "filesystem"}}}}),
           (MIMIR, "mimir.structuredConfig.common.storage.backend",
            "blocks on filesystem storage, want object storage (s3, gcs, azure, swift)")),
    sound("longterm.metrics-remote-write", "bucket-in-the-common-storage",
          lambda: upstream_environment(mimir={"mimir": {"structuredConfig": {
              "blocks_storage": {"s3": {"bucket_name": None}}, "common": {"storage": {"s3": {"bucket_name": "acme-metrics"}}}}}})),
    # every way of writing "no retention"
    *[broken("longterm.metrics-remote-write", f"no-retention-{value!r}",
             lambda value=value: upstream_environment(mimir={"mimir": {"structuredConfig": {"limits": {
                 "compactor_blocks_retention_period": value}}}}),
             (MIMIR, "mimir.structuredConfig.limits.compactor_blocks_retention_period",
              "no retention: the compactor never deletes blocks and the bucket grows forever"))
      for value in ("0h", "0d", "", 0)],
    sound("longterm.logs-object-storage", "production", lambda: upstream_environment()),
    broken("longterm.logs-object-storage", "filesystem-as-before",
           lambda: upstream_environment(loki={"loki": {"storage": {"type": "filesystem"}}}),
           (LOKI, "loki.storage.type", "log chunks on filesystem storage, want object storage (s3, gcs, azure, swift)")),
    broken("longterm.logs-object-storage", "no-chunks-bucket",
           lambda: upstream_environment(loki={"loki": {"storage": {"bucketNames": {"chunks": ""}}}}),
           (LOKI, "loki.storage.bucketNames.chunks", "no bucket for the log chunks")),
    broken("longterm.logs-object-storage", "schema-on-another-store",
           lambda: upstream_environment(loki={"loki": {"schemaConfig": {"configs": [
               {"from": "2025-01-01", "store": "tsdb", "object_store": "s3", "schema": "v13"},
               {"from": "2026-06-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13"}]}}}),
           (LOKI, "loki.schemaConfig.configs[1].object_store", "the newest schema stores in 'filesystem', not in the s3 storage")),
    broken("longterm.logs-object-storage", "no-retention-period",
           lambda: upstream_environment(loki={"loki": {"limits_config": {"retention_period": None}}}),
           (LOKI, "loki.limits_config.retention_period", "no retention period: logs are kept forever")),
    broken("longterm.logs-object-storage", "compactor-retention-off",
           lambda: upstream_environment(loki={"loki": {"compactor": {"retention_enabled": False}}}),
           (LOKI, "loki.compactor.retention_enabled",
            "the compactor's retention is off, so Loki ignores the retention period and deletes nothing")),
    broken("longterm.logs-object-storage", "no-delete-request-store",
           lambda: upstream_environment(loki={"loki": {"compactor": {"delete_request_store": None}}}),
           (LOKI, "loki.compactor.delete_request_store", "retention needs a delete-request store (Loki refuses to start without one)")),
    # no type at all is the chart's default storage; the newest schema is the last, whatever the list holds
    broken("longterm.logs-object-storage", "no-storage-type",
           lambda: upstream_environment(loki={"loki": {"storage": {"type": None}}}),
           (LOKI, "loki.storage.type", "log chunks on the default storage, want object storage (s3, gcs, azure, swift)")),
    broken("longterm.logs-object-storage", "no-schema",
           lambda: upstream_environment(loki={"loki": {"schemaConfig": {"configs": []}}}),
           (LOKI, "loki.schemaConfig.configs[0].object_store", "the newest schema stores in None, not in the s3 storage")),
    broken("longterm.logs-object-storage", "newest-schema-not-a-mapping",
           lambda: upstream_environment(loki={"loki": {"schemaConfig": {"configs": [
               {"from": "2025-01-01", "store": "tsdb", "object_store": "s3", "schema": "v13"}, "v14"]}}}),
           (LOKI, "loki.schemaConfig.configs[1].object_store", "the newest schema stores in None, not in the s3 storage")),
    sound("longterm.traces-object-storage", "production", lambda: upstream_environment()),
    broken("longterm.traces-object-storage", "local-backend",
           lambda: upstream_environment(tempo={"tempo": {"storage": {"trace": {"backend": "local"}}}}),
           (TEMPO, "tempo.storage.trace.backend", "trace blocks on local storage, want object storage (s3, gcs, azure, swift)")),
    broken("longterm.traces-object-storage", "no-bucket",
           lambda: upstream_environment(tempo={"tempo": {"storage": {"trace": {"s3": {"bucket": None}}}}}),
           (TEMPO, "tempo.storage.trace.s3.bucket", "no bucket for the trace blocks")),
    broken("longterm.traces-object-storage", "no-retention", lambda: upstream_environment(tempo={"tempo": {"retention": "0"}}),
           (TEMPO, "tempo.retention", "no retention: trace blocks are kept forever")),
    # the bucket's key is the backend's: bucket for s3 and gcs, container_name for azure and swift
    *[broken("longterm.traces-object-storage", f"{kind}-without-its-bucket",
             lambda kind=kind: upstream_environment(tempo={"tempo": {"storage": {"trace": {"backend": kind}}}}),
             (TEMPO, f"tempo.storage.trace.{kind}.{key}", "no bucket for the trace blocks"))
      for kind, key in (("gcs", "bucket"), ("azure", "container_name"))],
    # a values layer that is not a mapping is helm's to refuse; the others still count
    sound("longterm.traces-object-storage", "a-layer-that-is-not-a-mapping", lambda: upstream_environment(tempo="not a mapping")),
    sound("longterm.no-inline-credentials", "production-and-env-references",
          lambda: upstream_environment(loki={"loki": {"storage": {"s3": {"accessKeyId": "${AWS_ACCESS_KEY_ID}"}}}})),
    broken("longterm.no-inline-credentials", "keys-in-values",
           lambda: upstream_environment(loki={"loki": {"storage": {"s3": {"secretAccessKey": "wJalrXUtnFEMI"}}}},
                                        tempo={"tempo": {"storage": {"trace": {"s3": {"access_key": "AKIAEXAMPLE"}}}}}),
           (LOKI, "loki.storage.s3.secretAccessKey", "a storage credential in values (git): reference a Secret instead"),
           (TEMPO, "tempo.storage.trace.s3.access_key", "a storage credential in values (git): reference a Secret instead")),
    broken("longterm.no-inline-credentials", "key-inside-a-list",
           lambda: upstream_environment(loki={"loki": {"storage": {"s3": {"replicas": [{"region": "eu"}, {"accessKeyId": "AKIAEXAMPLE"}]}}}}),
           (LOKI, "loki.storage.s3.replicas[1].accessKeyId", "a storage credential in values (git): reference a Secret instead")),
    # observability
    broken("monitoring.alert-metadata", "severity-missing", lambda: f.scenario(rules(alert(severity=None))),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0].labels.severity",
            "alert AcmeApiDown: severity None, want one of critical, warning, info")),
    broken("monitoring.alert-metadata", "severity-unknown", lambda: f.scenario(rules(alert(), alert(severity="page"))),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[1].labels.severity", "alert AcmeApiDown: severity 'page', want one of critical, warning, info")),
    broken("monitoring.alert-metadata", "runbook-missing", lambda: f.scenario(rules(alert(runbook=None))),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0].annotations.runbook_url", "alert AcmeApiDown: runbook_url '' is not an absolute http(s) URL")),
    broken("monitoring.alert-metadata", "runbook-relative", lambda: f.scenario(rules(alert(runbook="runbooks/down.md"))),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0].annotations.runbook_url",
            "alert AcmeApiDown: runbook_url 'runbooks/down.md' is not an absolute http(s) URL")),
    broken("monitoring.alert-metadata", "runbook-not-http", lambda: f.scenario(rules(alert(runbook="ftp://acme.com/x"))),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0].annotations.runbook_url", "alert AcmeApiDown: runbook_url 'ftp://acme.com/x' is not an absolute http(s) URL")),
    sound("monitoring.alert-metadata", "alerts-and-recording-rules",
          lambda: f.scenario(rules(alert(), alert("AcmeApiSlow", "warning"), {"record": "x:rate5m", "expr": "1"}))),
    # promql
    broken("promql.parses", "panel-expression-unparsable", lambda: f.scenario(dashboard(panel("Requests", "sum(rate(up[5m])"))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr",
            'dashboard "Acme service", panel "Requests": 1:17: parse error: unclosed left parenthesis in sum(rate(up[5m])')),
    broken("promql.parses", "second-target-of-a-collapsed-row",
           lambda: f.scenario(dashboard(panel("Row", type="row", panels=[panel("Latency", "up", "histogram_quantile(0.9, )")]))),
           (DASHBOARD, f"{BOARD}.panels[0].panels[0].targets[1].expr",
            'dashboard "Acme service", panel "Latency": 1:23: parse error: trailing commas not allowed in function call args'
            ' in histogram_quantile(0.9, )')),
    broken("promql.parses", "unknown-dashboard-variable", lambda: f.scenario(dashboard(panel("Requests", 'up{namespace="$ns"}'))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr", 'dashboard "Acme service", panel "Requests": unknown dashboard variable $ns')),
    broken("promql.parses", "variable-query-unparsable",
           lambda: f.scenario(dashboard(variables=({"name": "namespace", "type": "query", "query": "label_values(up{, namespace)"},))),
           (DASHBOARD, f"{BOARD}.templating.list[0].query", 
            'dashboard "Acme service", variable namespace: 1:4: parse error: unexpected end of input inside braces in up{')),
    broken("promql.parses", "dashboard-not-json", lambda: f.scenario(_not_json_dashboard()),
           (DASHBOARD, BOARD, "dashboard acme-service.json: not JSON: Expecting value at line 1 column 13")),
    broken("promql.parses", "rule-expression-unparsable", lambda: f.scenario(rules(alert(), {**alert("AcmeApiSlow"), "expr": "rate(x[5m]"})),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[1].expr",
            "rule AcmeApiSlow: could not parse expression: 1:11: parse error: unclosed left parenthesis")),
    broken("promql.parses", "rule-template-unknown-function",
           lambda: f.scenario(rules({**alert(), "annotations": {"runbook_url": "https://runbooks.acme.com/x",
                                                                "description": "{{ $value | nosuchfunc }}"}})),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0]", 
            'rule AcmeApiDown: annotation "description": template: __alert_AcmeApiDown:1: function "nosuchfunc" not defined')),
    sound("promql.parses", "variables-builtins-rows-and-other-datasources",
          lambda: f.scenario(dashboard(panel("Requests", REQUESTS, 'up{namespace="${namespace}"}', 'up{namespace=~"[[namespace]]"}'),
                                       panel("Row", type="row", panels=[panel("Latency", "histogram_quantile(0.95, up)")]),
                                       panel("Logs", "{app=~\"acme\"} |= `error` [", datasource={"type": "loki", "uid": "loki"}),
                                       variables=(NAMESPACE_VARIABLE,)),
                             dashboard(label=False) | {"data": {"not-a-dashboard.json": "{"}},
                             rules(alert(), recording("job:up:sum", "sum by (job) (up)")))),
    # what the parser is given: the target's own datasource first, skipped entries do not end the scan
    broken("promql.parses", "skipped-targets-and-variables-then-bad-ones",
           lambda: f.scenario(dashboard(
               {"targets": ["x", {"refId": "B"}, {"expr": "rate(", "datasource": {"type": "loki"}}, {"expr": "sum("}]},
               variables=({"name": "span", "type": "custom", "query": "label_values(up{, pod)"},
                          {"name": "logs", "type": "query", "datasource": {"type": "loki"}, "query": "label_values(up{, pod)"},
                          {"name": "ns", "type": "query", "query": {"query": "label_values(up{namespace=\"$nope\"}, pod)"}},
                          {"name": "total", "type": "query", "query": "query_result(sum(up)"}))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[3].expr", 'dashboard "Acme service", panel "": 1:5: parse error: unclosed left parenthesis in sum('),
           (DASHBOARD, f"{BOARD}.templating.list[2].query.query", 'dashboard "Acme service", variable ns: unknown dashboard variable $nope'),
           (DASHBOARD, f"{BOARD}.templating.list[3].query", 'dashboard "Acme service", variable total: 1:7: parse error: unclosed left parenthesis in sum(up')),
    broken("promql.parses", "broken-json-beside-a-dashboard",
           lambda: f.scenario(_not_json_dashboard() | {"data": {"a.json": "{", "b.json": json.dumps({"panels": [panel("P", "sum(")]})}}),
           (DASHBOARD, "data.a.json", "dashboard a.json: not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
           (DASHBOARD, "data.b.json.panels[0].targets[0].expr", 'dashboard "b.json", panel "P": 1:5: parse error: unclosed left parenthesis in sum(')),
    # an unlabelled ConfigMap: other keys and broken JSON are passed over, a JSON document without panels is no dashboard
    broken("promql.parses", "unlabelled-configmap-with-other-keys-first",
           lambda: f.scenario(dashboard(label=False) | {"data": {
               "README.md": "dashboards", "broken.json": "{", "list.json": "[]",
               "settings.json": json.dumps({"templating": {"list": [{"name": "n", "type": "query", "query": "label_values(up{, n)"}]}}),
               "acme-service.json": json.dumps({"title": "Acme service", "panels": [panel("P", "sum(")]})}}),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr", 'dashboard "Acme service", panel "P": 1:5: parse error: unclosed left parenthesis in sum(')),
    # a datasource typed prometheus, or typed with the empty string, runs PromQL
    broken("promql.parses", "datasource-typed-prometheus-or-empty",
           lambda: f.scenario(dashboard(panel("A", "sum(", datasource={"type": "prometheus", "uid": "prom"}),
                                        panel("B", "rate(", datasource={"type": "", "uid": "prom"}))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr", 'dashboard "Acme service", panel "A": 1:5: parse error: unclosed left parenthesis in sum('),
           (DASHBOARD, f"{BOARD}.panels[1].targets[0].expr", 'dashboard "Acme service", panel "B": 1:6: parse error: unclosed left parenthesis in rate(')),
    # a complaint promtool makes about the file as a whole stays on spec.groups
    broken("promql.parses", "group-that-is-no-mapping",
           lambda: f.scenario(rules(alert()) | {"spec": {"groups": ["junk", {"name": "acme-api", "rules": [alert()]}]}}),
           # promtool reports the file twice (as RuleGroup and RuleGroupNode), a header line and a detail line each
           *[("PrometheusRule/acme/acme-api", "spec.groups", message) for message in (
               "yaml: unmarshal errors:", "line 2: cannot unmarshal !!str `junk` into rulefmt.RuleGroup",
               "yaml: unmarshal errors:", "line 2: cannot unmarshal !!str `junk` into rulefmt.RuleGroupNode")]),
    sound("promql.parses", "rule-object-without-groups",
          lambda: f.scenario(rules(alert()) | {"spec": {}}, {**rules(alert()), "metadata": {"name": "b", "namespace": "acme"}})),
    # each variable takes a value of its shape: an interval 5m, a literal current value as is, anything else a label value
    broken("promql.exported-metrics", "variables-take-values-of-their-shape",
           lambda: f.scenario(dashboard(panel("Requests", 'sum(rate(acme_x{pod="$pod", namespace="$namespace", all="$all"}[$window]))'),
                                        variables=("not-a-variable", {"type": "query"},
                                                   {"name": "window", "type": "interval", "current": {"value": "1h"}},
                                                   {"name": "pod", "type": "custom", "current": {"value": "acme-api-0"}},
                                                   NAMESPACE_VARIABLE,
                                                   {"name": "all", "type": "custom", "current": {"value": "$__all"}}))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr",
            f'dashboard "Acme service", panel "Requests": queries acme_x, {NO_EXPORTER}, '
            'in sum(rate(acme_x{pod="acme-api-0", namespace="acme", all="acme"}[5m]))')),
    broken("promql.exported-metrics", "variable-query-with-a-variable",
           lambda: f.scenario(dashboard(variables=(
               {"name": "pod", "type": "query", "query": {"query": 'label_values(kube_pod_info{namespace="$namespace"}, pod)'}},
               NAMESPACE_VARIABLE))),
           (DASHBOARD, f"{BOARD}.templating.list[0].query.query",
            f'dashboard "Acme service", variable pod: queries kube_pod_info, {NO_EXPORTER}, in kube_pod_info{{namespace="acme"}}')),
    broken("promql.exported-metrics", "panel-queries-unexported-metric",
           lambda: f.scenario(dashboard(panel("Requests", 'sum(rate(acme_api_http_requests_total{code=~"5.."}[5m]))'))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr",
            f'dashboard "Acme service", panel "Requests": queries acme_api_http_requests_total, {NO_EXPORTER}, '
            'in sum(rate(acme_api_http_requests_total{code=~"5.."}[5m]))')),
    broken("promql.exported-metrics", "histogram-queried-by-its-family-name",
           lambda: f.scenario(dashboard(panel("Latency", "http_server_request_duration_seconds"))),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr",
            f'dashboard "Acme service", panel "Latency": queries http_server_request_duration_seconds, {NO_EXPORTER}, '
            'in http_server_request_duration_seconds')),
    broken("promql.exported-metrics", "variable-queries-unexported-metric",
           lambda: f.scenario(dashboard(variables=({"name": "pod", "type": "query", "query": "label_values(kube_pod_info, pod)"},))),
           (DASHBOARD, f"{BOARD}.templating.list[0].query",
            f'dashboard "Acme service", variable pod: queries kube_pod_info, {NO_EXPORTER}, in kube_pod_info')),
    broken("promql.exported-metrics", "rule-queries-unexported-metric",
           lambda: f.scenario(rules({**alert(), "expr": "acme_api_up == 0 or absent(up)"})),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[0].expr", f"rule AcmeApiDown: queries acme_api_up, {NO_EXPORTER}, in acme_api_up == 0 or absent(up)")),
    # dashboards and rules of one scenario are both held to the catalogue; every rule is named as a person finds it
    broken("promql.exported-metrics", "dashboard-beside-rules-and-rules-named-by-kind",
           lambda: f.scenario(dashboard(panel("Requests", "acme_panel_total")),
                              rules(alert(), recording("job:acme:sum", "sum(acme_recorded_total)"), {"expr": "acme_nameless"}),
                              rules(alert()) | {"metadata": {"name": "b", "namespace": "acme"},
                                                "spec": {"groups": ["junk", {"name": "other", "rules": [
                                                    "junk", {"alert": "NoExpr"}, {**alert("AcmeB"), "expr": "acme_b"}]}]}},
                              rules(alert()) | {"metadata": {"name": "c", "namespace": "acme"}, "spec": {}}),
           (DASHBOARD, f"{BOARD}.panels[0].targets[0].expr",
            f'dashboard "Acme service", panel "Requests": queries acme_panel_total, {NO_EXPORTER}, in acme_panel_total'),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[1].expr",
            f"rule job:acme:sum: queries acme_recorded_total, {NO_EXPORTER}, in sum(acme_recorded_total)"),
           ("PrometheusRule/acme/acme-api", "spec.groups[0].rules[2].expr",
            f"rule 3 of group acme-api: queries acme_nameless, {NO_EXPORTER}, in acme_nameless"),
           ("PrometheusRule/acme/b", "spec.groups[1].rules[2].expr", f"rule AcmeB: queries acme_b, {NO_EXPORTER}, in acme_b")),
    sound("promql.exported-metrics", "exported-series-and-recorded-rules",
          lambda: f.scenario(dashboard(panel("Requests", REQUESTS, "job:up:sum", 'http_server_request_duration_seconds_bucket{le="+Inf"}',
                                             '{__name__=~"acme_.*"}'),
                                       variables=(NAMESPACE_VARIABLE,)),
                             rules(alert(), recording("job:up:sum", "sum by (job) (up)")))),
    broken("monitoring.monitor-target", "selects-no-service", lambda: monitored(monitor(component="ui"), labelled_service()),
           ("ServiceMonitor/monitoring/acme-api", "spec.selector", "selects no rendered Service")),
    broken("monitoring.monitor-target", "port-not-on-service",
           lambda: monitored(monitor(port="metrics", namespace_selector={"matchNames": ["acme"]}), labelled_service()),
           ("ServiceMonitor/monitoring/acme-api", "spec.endpoints[0].port", "no selected Service has a port named 'metrics'")),
    broken("monitoring.monitor-target", "looks-in-its-own-namespace-by-default",
           lambda: monitored(monitor(), labelled_service()),
           ("ServiceMonitor/monitoring/acme-api", "spec.selector", "selects no rendered Service")),
    broken("monitoring.monitor-target", "match-names-elsewhere",
           lambda: monitored(monitor(namespace_selector={"matchNames": ["staging"]}), labelled_service()),
           ("ServiceMonitor/monitoring/acme-api", "spec.selector", "selects no rendered Service")),
    sound("monitoring.monitor-target", "match-names",
          lambda: monitored(monitor(namespace_selector={"matchNames": ["acme"]}), labelled_service())),
    sound("monitoring.monitor-target", "any-namespace",
          lambda: monitored(monitor(namespace_selector={"any": True}), labelled_service("staging"))),
]


def _storage(request: str | None) -> Doc:
    resources = copy.deepcopy(c()["resources"])
    if request is not None:
        resources["requests"]["ephemeral-storage"] = request
    return resources


def _scratch_job(*requests: str, init: str | None = None, volume: str, second_volume: str | None = None,
                 medium: str | None = None) -> Doc:
    """The backup CronJob with a disk-backed emptyDir of `volume` (and a second one), one container per request."""
    containers = [c(name=f"step{i}", resources=_storage(r)) for i, r in enumerate(requests)] or [c(name="dump")]
    empty_dir = {"sizeLimit": volume, **({"medium": medium} if medium else {})}
    volumes = [{"name": "dump", "emptyDir": empty_dir}]
    if second_volume:
        volumes.append({"name": "extra", "emptyDir": {"sizeLimit": second_volume}})
    return f.cronjob(containers=containers, init=[c(name="init", resources=_storage(init))] if init else None,
                     volumes=volumes)


def _as_job(cronjob: Doc) -> Doc:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": cronjob["metadata"],
            "spec": cronjob["spec"]["jobTemplate"]["spec"]}


def _policy_for(labels: Doc) -> Doc:
    return f.network_policy("acme-db-backup-egress", {"matchLabels": labels}, egress=[], types=["Egress"])


def _in_namespace(doc: Doc, namespace: str) -> Doc:
    doc["metadata"]["namespace"] = namespace
    return doc


def collector(kind: str = "StatefulSet", replicas: int = 1, hpa: bool = False, args: list | None = None,
              claim: bool | str = True, read_only: bool = False, sidecar: bool = False, nested: bool = False,
              headless_port: bool = False, by_target_port: bool = False, watch: Doc | None = None,
              service_name: str = "acme-metrics", edit: Callable[[Doc, Doc, Doc], Any] | None = None,
              before: tuple[Doc, ...] = (), after: tuple[Doc, ...] = ()) -> Scenario:
    """The metrics collector (Pushgateway) as the platform renders it, with one thing changed; `edit` gets
    (the pushgateway container, its pod spec, its Service) for what the flags do not cover; `watch` is the
    ServiceMonitor's namespaceSelector; `before` and `after` are rendered before and after the collector."""
    mount = {"name": "data", "mountPath": "/data", **({"readOnly": True} if read_only else {})}
    pushgateway = c(name="pushgateway", ports=[{"name": "http", "containerPort": 9091}], volumeMounts=[mount],
                    args=args if args is not None else ["--persistence.file=/data/pushgateway.state"])
    containers = [pushgateway] + ([c(name="sidecar", ports=[{"name": "admin", "containerPort": 9000}])] if sidecar else [])
    workload = f.deployment("metrics", replicas=replicas, containers=containers)
    workload["kind"] = kind
    spec = workload["spec"]
    if kind != "Deployment":
        del spec["strategy"]
    if claim is True:
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]
    else:
        source = {"persistentVolumeClaim": {"claimName": "acme-metrics"}} if claim == "pod" else {"emptyDir": {}}
        spec["template"]["spec"]["volumes"] = [{"name": "data", **source}]
    if nested:
        spec["template"]["spec"]["volumes"] = [{"name": "scratch", "emptyDir": {}}]
        pushgateway["volumeMounts"] = [{"name": "scratch", "mountPath": "/data"}, {"name": "data", "mountPath": "/data/state"}]
        pushgateway["args"] = ["--persistence.file=/data/state/pushgateway.state"]
    service = f.service("metrics", target="http", name=service_name)
    service["metadata"]["labels"] = f.labels("metrics")
    headless = f.service("metrics", name="acme-metrics-headless")
    headless["metadata"]["labels"] = f.labels("metrics")
    headless["spec"]["clusterIP"] = "None"
    if not headless_port:
        headless["spec"]["ports"] = []
    if edit is not None:
        edit(pushgateway, spec["template"]["spec"], service)
    endpoint = {"targetPort": 9091} if by_target_port else {"port": "http"}
    watcher = monitor(component="metrics", namespace_selector=watch or {"matchNames": ["acme"]})
    watcher["metadata"]["name"] = "acme-metrics"
    watcher["spec"]["endpoints"] = [endpoint]
    docs = [*before, workload, service, headless, watcher, *after]
    if hpa:
        scaler = f.hpa("metrics", low=1, high=3)
        scaler["spec"]["scaleTargetRef"]["kind"] = kind
        docs.append(scaler)
    return f.scenario(*docs, is_environment=True)


def _labelled(doc: Doc, labels: Doc) -> Doc:
    doc["metadata"]["labels"] = labels
    return doc


def _unnamed_claim_first(scenario: Scenario) -> Scenario:
    """The collector's claim templates led by one without metadata (its name unknown, so it claims nothing)."""
    (workload,) = scenario.manifests.of_kind("StatefulSet")
    workload.doc["spec"]["volumeClaimTemplates"].insert(0, {"spec": {"accessModes": ["ReadWriteOnce"]}})
    return scenario


def _without_namespace(doc: Doc) -> Doc:
    del doc["metadata"]["namespace"]
    return doc


def _other_release(*docs: Doc) -> Scenario:
    """The StatefulSet in acme-api; the Service (the last doc) rendered by acme-platform."""
    scenario = f.scenario(*docs[:-1])
    scenario.manifests = scenario.manifests.merged(f.manifests(docs[-1], release="acme-platform"))
    return scenario


def _hpa_for(kind: str) -> Doc:
    doc = f.hpa()
    doc["spec"]["scaleTargetRef"]["kind"] = kind
    return doc


def _pdb_version(api_version: str) -> Doc:
    doc = f.pdb()
    doc["apiVersion"] = api_version
    return doc


def _pdb_without_selector() -> Doc:
    doc = f.pdb()
    del doc["spec"]["selector"]
    return doc


def _ingress_without_host() -> Doc:
    doc = f.ingress()
    del doc["spec"]["rules"][0]["host"]
    return doc


def _annotated_gateway(issuer: str) -> Doc:
    doc = gateway("*.acme.com")
    doc["metadata"]["annotations"] = {"cert-manager.io/cluster-issuer": issuer}
    return doc


def _default_backend(service_name: str) -> Doc:
    doc = f.ingress()
    doc["spec"]["defaultBackend"] = {"service": {"name": service_name, "port": {"number": 80}}}
    return doc


def _route_port(port: int) -> Doc:
    doc = f.httproute("acme-api", ["api.acme.com"])
    doc["spec"]["rules"][0]["backendRefs"][0]["port"] = port
    return doc


def _sts(service_name: str) -> Doc:
    doc = api(kind="StatefulSet")
    doc["spec"]["serviceName"] = service_name
    return doc


def _untyped_service() -> Doc:
    doc = f.service()
    del doc["spec"]["type"]
    return doc


def _not_json_dashboard() -> Doc:
    doc = dashboard()
    doc["data"]["acme-service.json"] = '{"panels": [} '
    return doc


def _route_of_kind(kind: str, backend: str) -> Doc:
    return f.httproute(backend, ["x.acme.com"], backend=backend) | {"kind": kind}


def _route_refs(*refs: Doc) -> Doc:
    doc = f.httproute("acme-api", ["api.acme.com"])
    doc["spec"]["rules"][0]["backendRefs"] = list(refs)
    return doc


def _traefik_weighted(backend: str) -> Doc:
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService", "metadata": {"name": "acme-api", "namespace": "acme"},
            "spec": {"weighted": {"services": [{"name": "acme-api", "port": 80, "weight": 90},
                                               {"name": backend, "port": 80, "weight": 10}]}}}


def _ingress_route(backend: str) -> Doc:
    return {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": {"name": "acme-api", "namespace": "acme"},
            "spec": {"routes": [{"kind": "Rule", "match": "Host(`api.acme.com`)",
                                 "services": [{"name": backend, "port": 80}]}]}}


def _release_sound(check_id: str):
    return sound(check_id, "the-release", lambda: release(environment="production"))


# Every single-release check also passes on the sound release as production runs it.
CASES += [_release_sound(check.split(":")[0]) for check in sorted({c.check_id for c in CASES})
          if check.startswith(SINGLE_RELEASE) and check != "contracts.needs"]
