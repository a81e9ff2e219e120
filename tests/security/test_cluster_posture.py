"""Security posture on the live local cluster: Pod Security "restricted" is enforced on the
application namespace and rejected none of our pods; no pod has a ServiceAccount token; none
of our objects landed in `default` (the scan's accepted CKV_K8S_21 relies on it)."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException


pytestmark = pytest.mark.e2e

PRIVILEGED_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "psa-probe"},
                  "spec": {"containers": [{"name": "c", "image": "registry.invalid/probe:1",
                                           "securityContext": {"privileged": True}}]}}


def test_restricted_is_enforced_on_the_app_namespace(api, deployed):
    ns = client.CoreV1Api(api).read_namespace(deployed.namespace)
    assert ns.metadata.labels.get("pod-security.kubernetes.io/enforce") == "restricted"
    with pytest.raises(ApiException) as refused:  # a server-side dry run: admission runs, nothing is stored
        client.CoreV1Api(api).create_namespaced_pod(deployed.namespace, PRIVILEGED_POD, dry_run="All")
    assert refused.value.status == 403 and "violates PodSecurity" in refused.value.body


def test_no_pod_of_ours_was_rejected(api, deployed):
    events = client.CoreV1Api(api).list_namespaced_event(deployed.namespace).items
    rejected = [f"{e.involved_object.kind}/{e.involved_object.name}: {e.message}" for e in events
                if "PodSecurity" in (e.message or "")]
    assert rejected == []
    apps = client.AppsV1Api(api)
    for workload in [*apps.list_namespaced_deployment(deployed.namespace).items,
                     *apps.list_namespaced_stateful_set(deployed.namespace).items]:
        assert (workload.status.replicas or 0) == (workload.spec.replicas or 0), workload.metadata.name


def test_no_pod_has_a_service_account_token(api, deployed):
    pods = client.CoreV1Api(api).list_namespaced_pod(deployed.namespace, label_selector="app.kubernetes.io/part-of=acme")
    assert pods.items
    with_token = [p.metadata.name for p in pods.items
                  if any(v.projected and v.name.startswith("kube-api-access") for v in p.spec.volumes or [])]
    assert with_token == []


def test_nothing_of_ours_in_the_default_namespace(api, deployed):
    selector = "app.kubernetes.io/part-of=acme"
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    found = [*core.list_namespaced_service("default", label_selector=selector).items,
             *core.list_namespaced_secret("default", label_selector=selector).items,
             *core.list_namespaced_config_map("default", label_selector=selector).items,
             *apps.list_namespaced_deployment("default", label_selector=selector).items,
             *apps.list_namespaced_stateful_set("default", label_selector=selector).items]
    assert [o.metadata.name for o in found] == []
