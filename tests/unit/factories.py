"""Typed factories for the Kubernetes objects the unit tests feed to checks."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from harness.core.manifests import Manifests
from harness.policy.intended import load_intended_flows
from harness.render.scenario import Scenario

REPO_ROOT = Path(__file__).resolve().parents[2]


NAMESPACE = "acme"
Doc = dict[str, Any]


def labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": f"acme-{component}", "app.kubernetes.io/instance": f"acme-{component}",
            "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": "acme"}


def container(name: str = "api", port: int = 8080, **overrides: Any) -> Doc:
    probe = {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5}
    spec = {
        "name": name,
        "image": "acme/api:1.2.3",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "readinessProbe": probe,
        "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}, "periodSeconds": 10},
        "startupProbe": {"httpGet": {"path": "/live", "port": "http"}, "failureThreshold": 30},
        "lifecycle": {"preStop": {"sleep": {"seconds": 15}}},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                            "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                            "seccompProfile": {"type": "RuntimeDefault"}},
    }
    spec.update(overrides)
    return spec


def deployment(component: str = "api", replicas: int | None = 3, strategy: Doc | None = None,
               containers: list[Doc] | None = None, grace: int = 60, **pod: Any) -> Doc:
    spec: Doc = {
        "selector": {"matchLabels": {k: v for k, v in labels(component).items() if k != "app.kubernetes.io/part-of"}},
        "strategy": strategy or {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 1}},
        "template": {"metadata": {"labels": labels(component)},
                     "spec": {"terminationGracePeriodSeconds": grace,
                              "containers": containers or [container(component)], **pod}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"acme-{component}", "namespace": NAMESPACE, "labels": labels(component)}, "spec": spec}


def cronjob(name: str = "acme-db-backup", init: list[Doc] | None = None, containers: list[Doc] | None = None,
            volumes: list[Doc] | None = None) -> Doc:
    pod = {"restartPolicy": "Never", "initContainers": init or [], "containers": containers or [container("upload")],
           "volumes": volumes or []}
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels("backup")},
            "spec": {"schedule": "17 2 * * *", "concurrencyPolicy": "Forbid",
                     "jobTemplate": {"spec": {"template": {"metadata": {"labels": labels("backup")}, "spec": pod}}}}}


def statefulset(service_name: str | None = "acme-db-headless", annotations: dict | None = None) -> Doc:
    spec: Doc = {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/component": "database"}},
                 "template": {"metadata": {"labels": labels("database")},
                              "spec": {"containers": [container("postgresql", 5432)]}}}
    if service_name is not None:
        spec["serviceName"] = service_name
    metadata: Doc = {"name": "acme-db", "namespace": NAMESPACE, "labels": labels("database")}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata, "spec": spec}


def headless_service(name: str = "acme-db-headless", component: str = "database") -> Doc:
    doc = service(component, port=5432, target="http", name=name)
    doc["spec"]["clusterIP"] = "None"
    return doc


def hpa(component: str = "api", low: int = 3, high: int = 5, api_version: str = "autoscaling/v2") -> Doc:
    return {"apiVersion": api_version, "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": f"acme-{component}", "namespace": NAMESPACE},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"acme-{component}"},
                     "minReplicas": low, "maxReplicas": high}}


def pdb(component: str = "api", **budget: Any) -> Doc:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": f"acme-{component}", "namespace": NAMESPACE},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/component": component}},
                     **(budget or {"maxUnavailable": 1})}}


def service(component: str = "api", port: int = 80, target: int | str = "http", kind: str = "ClusterIP",
            name: str | None = None) -> Doc:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name or f"acme-{component}", "namespace": NAMESPACE},
            "spec": {"type": kind, "selector": {"app.kubernetes.io/component": component},
                     "ports": [{"name": "http", "port": port, "targetPort": target}]}}


def ingress(host: str = "api.acme.com", tls_hosts: list[str] | None = None, annotations: dict | None = None,
            backend: str = "acme-api", port: Doc | None = None) -> Doc:
    default_annotations = {"cert-manager.io/cluster-issuer": "letsencrypt-prod",
                           "traefik.ingress.kubernetes.io/router.middlewares": "traefik-redirect-https@kubernetescrd"}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": backend, "namespace": NAMESPACE,
                         "annotations": default_annotations if annotations is None else annotations},
            "spec": {"ingressClassName": "traefik",
                     "tls": [{"hosts": [host] if tls_hosts is None else tls_hosts, "secretName": f"{backend}-tls"}],
                     "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                         "service": {"name": backend, "port": port or {"name": "http"}}}}]}}]}}


def httproute(name: str, hostnames: list[str], redirect: bool = False, backend: str = "acme-api") -> Doc:
    rule: Doc = ({"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
                 if redirect else {"backendRefs": [{"name": backend, "port": 80}]})
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"parentRefs": [{"name": "acme-gateway", "namespace": "traefik"}], "hostnames": hostnames,
                     "rules": [rule]}}


def cluster_issuer(name: str = "letsencrypt-prod") -> Doc:
    return {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": name}, "spec": {}}


def secret(name: str = "acme-db-credentials", keys: tuple[str, ...] = ("url",)) -> Doc:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NAMESPACE},
            "data": {k: "eA==" for k in keys}}


def network_policy(name: str, pod_selector: Doc | None, ingress: list | None = None, egress: list | None = None,
                   types: list[str] | None = None, namespace: str = NAMESPACE, null_egress: bool = False) -> Doc:
    """`null_egress`: write `egress: null`, as Helm renders an empty value."""
    spec: Doc = {"podSelector": pod_selector}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None or null_egress:
        spec["egress"] = egress
    if types is not None:
        spec["policyTypes"] = types
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def policy_environment(*extra_policies: Doc) -> list[Doc]:
    """api and database with default-deny, DNS, api and database policies: the intended flows exactly.

    `extra_policies` replace the database policy (the last document)."""
    api = deployment("api")
    db = deployment("database", containers=[container("db", port=5432, ports=[
        {"name": "postgresql", "containerPort": 5432, "protocol": "TCP"}])])
    acme = {"matchLabels": {"app.kubernetes.io/part-of": "acme"}}
    base = [
        network_policy("default-deny", {}, ingress=[], egress=[], types=["Ingress", "Egress"]),
        network_policy("dns", {}, egress=[{"to": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]),
        network_policy("api", {"matchLabels": {"app.kubernetes.io/component": "api"}},
                       ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
                                           "podSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}],
                                 "ports": [{"port": "http"}]}],
                       egress=[{"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "database"}}}],
                                "ports": [{"port": 5432}]}]),
    ]
    db_policy = network_policy("acme-db", {"matchLabels": {"app.kubernetes.io/component": "database"}},
                               ingress=[{"from": [{"podSelector": {"matchLabels": {**acme["matchLabels"],
                                                                                   "app.kubernetes.io/component": "api"}}}],
                                         "ports": [{"port": "postgresql"}]}])
    return [api, db, *base, *(extra_policies or (db_policy,))]


def manifests(*docs: Doc, release: str = "acme-api") -> Manifests:
    return Manifests.from_documents(list(docs), release, NAMESPACE)


def scenario(*docs: Doc, environment: str | None = None, reference: tuple[Doc, ...] = (),
             baseline: tuple[Doc, ...] | None = None, is_environment: bool = False, values: list | None = None) -> Scenario:
    under_test = manifests(*docs)
    return Scenario(
        name="unit", manifests=under_test, environment=environment, is_environment=is_environment,
        reference=under_test.merged(manifests(*reference, release="acme-platform")) if reference else None,
        baseline=manifests(*baseline) if baseline is not None else None, baseline_note="no baseline in this test",
        intended=load_intended_flows(REPO_ROOT / "policy" / "intended-flows.yaml"), values=values or [])
