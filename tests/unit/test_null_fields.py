"""Helm renders empty values as explicit nulls; every render check reads them as absent, as the API server does."""

from __future__ import annotations

import pytest

import factories as f
from checking import refs, run_check
from harness.checks.registry import Needs, Subject, all_checks
from harness.core.fields import get_or, is_set
from harness.core.manifests import Manifests
from harness.core.yamlio import load_all
from harness.render.scenario import Scenario

# The acme-api release as `helm template` prints it when optional values are left empty.
RENDERED_WITH_NULLS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: acme-api, namespace: acme, labels: {app.kubernetes.io/component: api}}
spec:
  replicas: null
  selector: {matchLabels: {app.kubernetes.io/component: api}, matchExpressions: null}
  strategy:
    type: null
    rollingUpdate: {maxSurge: null, maxUnavailable: null}
  template:
    metadata: {labels: {app.kubernetes.io/component: api, app.kubernetes.io/part-of: acme}}
    spec:
      terminationGracePeriodSeconds: null
      securityContext: {runAsNonRoot: true, runAsUser: null}
      containers:
        - name: api
          image: acme/api:1.2.3
          ports: [{name: http, containerPort: 8080, protocol: null}]
          readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /live, port: http}, periodSeconds: 10}
          startupProbe: {httpGet: {path: /live, port: http}, failureThreshold: 30}
          lifecycle: {preStop: {sleep: {seconds: 15}, exec: null}}
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
          env:
            - {name: LOG_LEVEL, value: null}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL], add: null}
            runAsNonRoot: null
            runAsUser: null
            seccompProfile: {type: RuntimeDefault}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: acme-api, namespace: acme}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: acme-api}
  minReplicas: null
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: acme-api, namespace: acme}
spec:
  selector: {matchLabels: {app.kubernetes.io/component: api}}
  minAvailable: null
  maxUnavailable: 1
---
apiVersion: v1
kind: Service
metadata: {name: acme-api, namespace: acme}
spec:
  type: null
  selector: {app.kubernetes.io/component: api}
  ports: [{name: http, port: 8080, targetPort: null, protocol: null}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: acme-api
  namespace: acme
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt-prod
    traefik.ingress.kubernetes.io/router.middlewares: traefik-redirect-https@kubernetescrd
spec:
  ingressClassName: traefik
  defaultBackend: null
  tls: [{hosts: [api.acme.com], secretName: acme-api-tls}]
  rules:
    - host: api.acme.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: acme-api, port: {name: http}}}}]
"""

SINGLE_CHART_CHECKS = [c.id for c in all_checks(Subject.SCENARIO)
                       if c.needs is Needs.ANY and not c.id.startswith(("upgrade.", "schema.", "render.", "contracts."))]


def rendered(text: str = RENDERED_WITH_NULLS) -> Scenario:
    docs = load_all(text, "helm template acme-api")
    return f.scenario(*docs, reference=(f.cluster_issuer(),))


def test_get_or_reads_null_as_absent():
    assert get_or({"protocol": None}, "protocol", "TCP") == "TCP"
    assert get_or({}, "protocol", "TCP") == "TCP"
    assert get_or(None, "protocol", "TCP") == "TCP"
    assert get_or({"protocol": "UDP"}, "protocol", "TCP") == "UDP"
    assert get_or({"replicas": 0}, "replicas", 1) == 0  # a falsy value is a value, not a default
    assert is_set({"ipBlock": {}}, "ipBlock") and not is_set({"ipBlock": None}, "ipBlock")


@pytest.mark.parametrize("check_id", SINGLE_CHART_CHECKS, ids=SINGLE_CHART_CHECKS)
def test_nulls_are_read_as_absent(check_id):
    """No traceback, no finding: each null above has a default the API server would apply."""
    assert run_check(check_id, rendered()) == []


def test_null_target_port_means_the_port():
    assert run_check("contracts.service-ports", rendered()) == []
    moved = RENDERED_WITH_NULLS.replace("port: 8080, targetPort: null", "port: 80, targetPort: null")
    assert refs(run_check("contracts.service-ports", rendered(moved))) == {
        ("contracts.service-ports", "Service/acme/acme-api", "spec.ports[0].targetPort")}


def test_pdb_with_null_selector_selects_no_pods():
    text = RENDERED_WITH_NULLS.replace("selector: {matchLabels: {app.kubernetes.io/component: api}}\n  minAvailable",
                                       "selector: null\n  minAvailable")
    assert text != RENDERED_WITH_NULLS
    assert refs(run_check("scaling.pdb", rendered(text))) == {
        ("scaling.pdb", "PodDisruptionBudget/acme/acme-api", "spec.selector")}


def test_null_fields_load_as_objects():
    manifests = Manifests.from_documents(load_all("kind: ConfigMap\nmetadata: {name: null}\n", "t"), "r", "acme")
    assert [o.name for o in manifests] == [""]
