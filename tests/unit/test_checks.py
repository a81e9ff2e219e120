"""Every check fails on a broken manifest (naming object and field) and passes on a sound one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import pytest

import factories as f
from checking import refs, run_check
from harness.checks.registry import Needs, Subject, all_checks
from harness.render.scenario import Scenario

API = "Deployment/acme/acme-api"
CONTAINER = "spec.template.spec.containers[0]"
PLATFORM = (f.cluster_issuer(), f.secret())


def sound_docs() -> list[dict]:
    """The acme-api release as the contract wants it: every single-chart check passes on this."""
    return [f.deployment(replicas=None), f.hpa(), f.pdb(), f.service(), f.ingress()]


def with_api(**changes) -> list[dict]:
    docs = sound_docs()
    docs[0] = f.deployment(replicas=None, **changes)
    return docs


def env_of(container_changes: dict) -> list[dict]:
    return with_api(containers=[f.container(**container_changes)])


def sound(environment: str | None = None) -> Scenario:
    return f.scenario(*sound_docs(), environment=environment, reference=PLATFORM)


def broken(docs: list[dict], environment: str | None = None, baseline=None, reference=PLATFORM) -> Scenario:
    return f.scenario(*docs, environment=environment, reference=reference, baseline=baseline)


def _api_env(name: str, value: str) -> list[dict]:
    env = [{"name": "POSTGRES_URL", "valueFrom": {"secretKeyRef": {"name": "acme-db-credentials", "key": "url"}}},
           {"name": "METRICS_URL", "value": "http://acme-metrics.acme.svc.cluster.local:80"}]
    env = [e for e in env if e["name"] != name] + [{"name": name, "value": value}]
    return env_of({"env": env})


def _metrics_url(url: str) -> list[dict]:
    docs = _api_env("METRICS_URL", url)
    return docs + [f.service("metrics", name="acme-metrics")]


# (check id, broken scenario, object, field) — each row breaks exactly one invariant.
BROKEN: list[tuple[str, Callable[[], Scenario], str, str]] = [
    ("rollout.strategy", lambda: broken(with_api(strategy={"type": "Recreate"})), API, "spec.strategy.type"),
    ("rollout.max-unavailable",
     lambda: broken(with_api(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "100%"}})),
     API, "spec.strategy.rollingUpdate.maxUnavailable"),
    ("rollout.max-surge",
     lambda: broken(with_api(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}})),
     API, "spec.strategy.rollingUpdate.maxSurge"),
    ("rollout.production-replicas", lambda: broken([f.deployment(replicas=2)], environment="production"),
     API, "spec.replicas"),
    ("probes.readiness", lambda: broken(env_of({"readinessProbe": None})), API, f"{CONTAINER}.readinessProbe"),
    ("probes.ports", lambda: broken(env_of({"readinessProbe": {"httpGet": {"path": "/", "port": 80}}})),
     API, f"{CONTAINER}.readinessProbe.httpGet.port"),
    ("probes.liveness-differs",
     lambda: broken(env_of({"livenessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}})),
     API, f"{CONTAINER}.livenessProbe"),
    ("probes.startup", lambda: broken(env_of({"startupProbe": None})), API, f"{CONTAINER}.startupProbe"),
    ("shutdown.prestop", lambda: broken(env_of({"lifecycle": {}})), API, f"{CONTAINER}.lifecycle.preStop"),
    ("shutdown.grace-period", lambda: broken(with_api(grace=20)), API,
     "spec.template.spec.terminationGracePeriodSeconds"),
    ("scaling.hpa-version", lambda: broken([f.deployment(replicas=None), f.hpa(api_version="autoscaling/v1")]),
     "HorizontalPodAutoscaler/acme/acme-api", "apiVersion"),
    ("scaling.hpa-bounds", lambda: broken([f.deployment(replicas=None), f.hpa(low=6, high=5)]),
     "HorizontalPodAutoscaler/acme/acme-api", "spec.minReplicas"),
    ("scaling.hpa-target", lambda: broken([f.hpa()]), "HorizontalPodAutoscaler/acme/acme-api", "spec.scaleTargetRef"),
    ("scaling.replicas-under-hpa", lambda: broken([f.deployment(replicas=3), f.hpa()]), API, "spec.replicas"),
    ("scaling.pdb", lambda: broken([f.deployment(replicas=None), f.hpa(low=2), f.pdb(minAvailable="100%")]),
     "PodDisruptionBudget/acme/acme-api", "spec.minAvailable"),
    ("tls.hosts", lambda: broken([*sound_docs()[:4], f.ingress(tls_hosts=[])]), "Ingress/acme/acme-api", "spec.tls"),
    ("tls.issuer",
     lambda: broken([*sound_docs()[:4], f.ingress(annotations={"cert-manager.io/issuer": "letsencrypt-prod"})]),
     "Ingress/acme/acme-api", "metadata.annotations[cert-manager.io/issuer]"),
    ("tls.redirect",
     lambda: broken([*sound_docs()[:4], f.ingress(annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"})]),
     "Ingress/acme/acme-api", "metadata.annotations"),
    ("isolation.exposure", lambda: broken([f.deployment("database"), f.service("database", kind="LoadBalancer")]),
     "Service/acme/acme-database", "spec.type"),
    ("isolation.policy-selects-pods",
     lambda: broken([f.deployment(), f.network_policy("acme-db-backup-egress", {"matchLabels": {
         "app.kubernetes.io/component": "backup"}}, egress=[], types=["Egress"])]),
     "NetworkPolicy/acme/acme-db-backup-egress", "spec.podSelector"),
    ("isolation.host-access", lambda: broken(with_api(hostNetwork=True)), API, "spec.template.spec.hostNetwork"),
    ("contracts.namespace", lambda: broken([*sound_docs()[:3], _without_namespace(f.service())]),
     "Service/acme/acme-api", "metadata.namespace"),
    ("contracts.service-ports", lambda: broken([f.deployment(), f.service(target=9999)]),
     "Service/acme/acme-api", "spec.ports[0].targetPort"),
    ("contracts.backends", lambda: broken([f.deployment(), f.service(), f.ingress(port={"name": "https"})]),
     "Ingress/acme/acme-api", "spec.rules[0].http.paths[0].backend.service.port"),
    ("contracts.postgres-url", lambda: broken(_api_env("POSTGRES_URL", "postgresql://u:p@db:5432/acme")),
     API, f"{CONTAINER}.env[1]"),
    ("contracts.metrics-url", lambda: broken(_metrics_url("http://acme-metrics.acme.svc.cluster.local:9090")),
     API, f"{CONTAINER}.env[1].value"),
    ("security.pod-security", lambda: broken(env_of({"securityContext": {"runAsNonRoot": True}})),
     API, f"{CONTAINER}.securityContext.allowPrivilegeEscalation"),
    ("security.resources", lambda: broken(env_of({"resources": {"requests": {"cpu": "1"}}})),
     API, f"{CONTAINER}.resources.requests.memory"),
    ("security.image-pinned", lambda: broken(env_of({"image": "acme/api:latest"})), API, f"{CONTAINER}.image"),
    ("security.credentials", lambda: broken(env_of({"env": [{"name": "DB_PASSWORD", "value": "hunter2"}]})),
     API, f"{CONTAINER}.env[0].value"),
    ("statefulset.governing-service", lambda: broken([f.statefulset("acme-db"), f.service("database", name="acme-db")]),
     "StatefulSet/acme/acme-db", "spec.serviceName"),
    ("storage.emptydir-size-limit", lambda: broken(with_api(volumes=[{"name": "tmp", "emptyDir": {}}])),
     API, "spec.template.spec.volumes[0].emptyDir.sizeLimit"),
    ("storage.ephemeral-request",
     lambda: broken([f.cronjob(volumes=[{"name": "backup", "emptyDir": {"sizeLimit": "2Gi"}}])]),
     "CronJob/acme/acme-db-backup", "spec.jobTemplate.spec.template.spec.containers[0].resources.requests.ephemeral-storage"),
    ("upgrade.immutable-fields",
     lambda: broken(sound_docs(), baseline=(_with_selector(f.deployment(replicas=None), {"app": "old"}),)),
     API, "spec.selector"),
    ("upgrade.removed-resources",
     lambda: broken(sound_docs(), baseline=({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                             "metadata": {"name": "data-acme-db-0", "namespace": "acme"}},)),
     "PersistentVolumeClaim/acme/data-acme-db-0", "metadata.name"),
]


def _without_namespace(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    del doc["metadata"]["namespace"]
    return doc


def _with_selector(doc: dict, selector: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["spec"]["selector"] = {"matchLabels": selector}
    return doc


@pytest.mark.parametrize(("check_id", "make", "obj", "field"), BROKEN, ids=[row[0] for row in BROKEN])
def test_check_reports_broken_manifest(check_id, make, obj, field):
    assert (check_id, obj, field) in refs(run_check(check_id, make()))


SINGLE_CHART_CHECKS = [c.id for c in all_checks(Subject.SCENARIO)
                       if c.needs is Needs.ANY and not c.id.startswith(("upgrade.", "schema.", "render."))]


@pytest.mark.parametrize("check_id", SINGLE_CHART_CHECKS, ids=SINGLE_CHART_CHECKS)
def test_check_passes_sound_manifest(check_id):
    docs = sound_docs()
    docs[0]["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "POSTGRES_URL", "valueFrom": {"secretKeyRef": {"name": "acme-db-credentials", "key": "url"}}},
        {"name": "METRICS_URL", "value": "http://acme-metrics.acme.svc.cluster.local:80"}]
    metrics = f.service("metrics", name="acme-metrics")
    metrics["spec"]["selector"] = {}  # selector-less: its pods belong to another release
    scenario = f.scenario(*docs, environment="production", reference=(*PLATFORM, metrics),
                          baseline=tuple(sound_docs()))
    assert run_check(check_id, scenario) == []


def test_every_registered_check_has_a_broken_case():
    """A check that cannot fail is a defect: every id must be exercised by some test (here or in its family's)."""
    tests_dir = Path(__file__).resolve().parents[1]
    text = "\n".join(p.read_text() for p in tests_dir.rglob("test_*.py"))
    untested = sorted(c.id for c in all_checks() if f'"{c.id}"' not in text and f"'{c.id}'" not in text)
    assert untested == [], f"checks without a test that makes them fail: {untested}"


def test_credentials_in_configmap_url_userinfo():
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "acme-api", "namespace": "acme"},
              "data": {"DATABASE": "postgresql://acme:s3cret@acme-db:5432/acme", "LOG_LEVEL": "info"}}
    assert refs(run_check("security.credentials", f.scenario(config))) == {
        ("security.credentials", "ConfigMap/acme/acme-api", "data.DATABASE")}


def test_postgres_url_existing_secret_declared_in_values_is_accepted():
    docs = _api_env("METRICS_URL", "http://acme-metrics:80")
    docs[0]["spec"]["template"]["spec"]["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["name"] = "vault-db"
    declared = f.scenario(*docs, reference=PLATFORM, values=[{"database": {"existingSecret": "vault-db"}}])
    undeclared = f.scenario(*docs, reference=PLATFORM)
    assert run_check("contracts.postgres-url", declared) == []
    assert run_check("contracts.postgres-url", undeclared)


def test_render_failure_is_a_finding():
    scenario = f.scenario()
    scenario.render_errors = ["acme-api: Error: values don't meet the specifications of the schema"]
    assert refs(run_check("render.template", scenario)) == {("render.template", "HelmRelease/acme-api", "values")}


def test_upgrade_without_baseline_is_skipped_not_passed():
    from harness.checks.registry import CheckSkipped

    with pytest.raises(CheckSkipped, match="no baseline"):
        run_check("upgrade.immutable-fields", f.scenario(*sound_docs()))


def test_policy_selecting_every_pod_or_a_rendered_one_is_not_dead():
    docs = [f.deployment(), f.network_policy("default-deny", {}, types=["Ingress"]),
            f.network_policy("acme-api", {"matchLabels": {"app.kubernetes.io/component": "api"}}, ingress=[])]
    assert run_check("isolation.policy-selects-pods", f.scenario(*docs, is_environment=True)) == []


@pytest.mark.parametrize(("docs", "message"), [
    ([f.statefulset()], "Service acme-db-headless is not rendered by release acme-api"),
    ([f.statefulset(), f.service("database", name="acme-db-headless")], "is not headless"),
    ([f.statefulset(), f.headless_service(component="api")], "does not select the StatefulSet's pods"),
    ([f.statefulset(None)], "not set"),
], ids=["missing", "cluster-ip", "selects-others", "unset"])
def test_governing_service_names_what_is_wrong(docs, message):
    findings = run_check("statefulset.governing-service", f.scenario(*docs))
    assert [x.field for x in findings] == ["spec.serviceName"] and message in findings[0].message


def test_governing_service_passes_a_headless_service_selecting_the_pods():
    assert run_check("statefulset.governing-service", f.scenario(f.statefulset(), f.headless_service())) == []


def test_upgrade_accepts_an_immutable_field_the_chart_keeps_from_the_live_object():
    kept = f.statefulset(annotations={"acme.com/upgrade-keeps-live": "spec.serviceName"})
    others = f.statefulset(annotations={"acme.com/upgrade-keeps-live": "spec.podManagementPolicy"})
    before = (f.statefulset("acme-db"),)
    assert run_check("upgrade.immutable-fields", broken([kept], baseline=before)) == []
    assert refs(run_check("upgrade.immutable-fields", broken([others], baseline=before))) == {
        ("upgrade.immutable-fields", "StatefulSet/acme/acme-db", "spec.serviceName")}


def test_liveness_with_readiness_handler_and_other_timing_is_reported():
    same_check = {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 20, "failureThreshold": 6}
    findings = run_check("probes.liveness-differs", broken(env_of({"livenessProbe": same_check})))
    assert [x.field for x in findings] == [f"{CONTAINER}.livenessProbe"] and "same check" in findings[0].message


def test_namespace_is_not_asked_of_cluster_scoped_objects():
    assert run_check("contracts.namespace", f.scenario(f.cluster_issuer(), f.deployment())) == []
