"""Each smoke check passes on a healthy snapshot and fails on a snapshot broken just for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Callable

import pytest

from smoke_objects import NOW, NS, endpoint_slice, pod, release_secret, service, tls_secret
from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke
from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot

API_CHECKS = [c for c in all_checks(Subject.SNAPSHOT) if not c.id.startswith("http.")]
HTTP_CHECKS = [c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")]


def outcome(check_id: str, snap: Snapshot, settings: SmokeSettings):
    check = next(c for c in all_checks(Subject.SNAPSHOT) if c.id == check_id)
    return run_smoke(snap, settings, [check])[0]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.id)
def test_passes_on_a_healthy_environment(check, healthy, settings):
    result = run_smoke(healthy, settings, [check])[0]
    assert result.status is Status.PASS, result.findings


def _set(path: Callable[[Snapshot], dict], key: str, value) -> Callable[[Snapshot], None]:
    return lambda snap: path(snap).__setitem__(key, value)


def _ca_break(kind: str):
    def breaker(snap: Snapshot, ca) -> None:
        if kind == "missing":
            snap.tls_secrets.clear()
        elif kind == "wrong-host":
            snap.tls_secrets[:] = [tls_secret("acme-api-tls", ca, "www.acme.com")]
        else:
            snap.tls_secrets[:] = [tls_secret("acme-api-tls", ca, "api.acme.com", not_after=NOW + dt.timedelta(days=3))]
    return breaker


BREAKS: list[tuple[str, str, Callable]] = [
    ("release.deployed", "newest-revision-failed",
     lambda s, ca: s.release_secrets.append(release_secret("acme-api", 3, "failed", []))),
    ("release.deployed", "release-missing", lambda s, ca: s.release_secrets.pop()),
    ("release.deployed", "pending-upgrade",
     lambda s, ca: s.release_secrets.append(release_secret("acme-ui", 2, "pending-upgrade", []))),
    ("deployment.rolled-out", "one-replica-unavailable",
     lambda s, ca: s.deployments[0]["status"].update(availableReplicas=2)),
    ("deployment.rolled-out", "spec-not-observed", lambda s, ca: s.deployments[0]["metadata"].update(generation=2)),
    ("deployment.rolled-out", "old-pods-remain", lambda s, ca: s.deployments[0]["status"].update(replicas=5)),
    ("deployment.rolled-out", "progress-deadline-exceeded",
     lambda s, ca: s.deployments[0]["status"]["conditions"][0].update(reason="ProgressDeadlineExceeded")),
    ("deployment.rolled-out", "released-deployment-missing", lambda s, ca: s.deployments.clear()),
    ("pod.healthy", "pending-past-deadline", lambda s, ca: s.pods.append(pod("acme-api-x", "api", phase="Pending"))),
    ("pod.healthy", "crash-looping",
     lambda s, ca: s.pods[0]["status"]["containerStatuses"][0].update(
         restartCount=7, state={"waiting": {"reason": "CrashLoopBackOff"}})),
    ("service.endpoints", "no-ready-endpoint", lambda s, ca: s.endpoint_slices.__setitem__(0, endpoint_slice("acme-api", False))),
    ("service.endpoints", "released-service-missing", lambda s, ca: s.services.pop(0)),
    ("exposure.internal", "database-load-balancer", lambda s, ca: s.services[1]["spec"].update(type="LoadBalancer")),
    ("exposure.internal", "metrics-node-port", lambda s, ca: s.services.append(service("acme-metrics", "metrics", "NodePort"))),
    ("exposure.internal", "database-external-ip", lambda s, ca: s.services[1]["spec"].update(externalIPs=["1.2.3.4"])),
    ("exposure.internal", "ingress-to-database",
     lambda s, ca: s.ingresses[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].update(name="acme-db")),
    ("pdb.allows-disruption", "no-disruption-allowed", lambda s, ca: s.pdbs[0]["status"].update(disruptionsAllowed=0)),
    ("pdb.allows-disruption", "released-pdb-missing", lambda s, ca: s.pdbs.clear()),
    ("hpa.bounds", "max-changed-live", lambda s, ca: s.hpas[0]["spec"].update(maxReplicas=4)),
    ("hpa.bounds", "replicas-below-min", lambda s, ca: s.deployments[0]["spec"].update(replicas=2)),
    ("hpa.bounds", "released-hpa-missing", lambda s, ca: s.hpas.clear()),
    ("networkpolicy.in-force", "default-deny-removed", lambda s, ca: s.network_policies.pop(0)),
    ("networkpolicy.in-force", "egress-only-policies",
     lambda s, ca: [p["spec"].update(policyTypes=["Egress"]) for p in s.network_policies]),
    ("certificate.valid", "secret-missing", _ca_break("missing")),
    ("certificate.valid", "host-not-covered", _ca_break("wrong-host")),
    ("certificate.valid", "expires-in-3-days", _ca_break("expiring")),
]


@pytest.mark.parametrize(("check_id", "breaker"), [(c, b) for c, _, b in BREAKS], ids=[f"{c}:{n}" for c, n, _ in BREAKS])
def test_fails_when_broken(check_id, breaker, healthy, settings, ca):
    breaker(healthy, ca)
    result = outcome(check_id, healthy, settings)
    assert result.status is Status.FAIL
    assert all(f.check_id == check_id and f.message for f in result.findings)


def test_every_api_check_has_a_break():
    assert {c.id for c in API_CHECKS} == {check_id for check_id, _, _ in BREAKS}


def test_expected_revision_mismatch_fails(healthy, settings):
    result = outcome("release.deployed", healthy, replace(settings, expected_revisions={"acme-api": 3}))
    assert result.status is Status.FAIL
    assert "expected 3" in result.findings[0].message


def test_terminating_pods_are_not_pending(healthy, settings):
    stuck = pod("acme-api-old", "api", phase="Pending")
    stuck["metadata"]["deletionTimestamp"] = "2026-11-26T06:59:00Z"
    healthy.pods.append(stuck)
    assert outcome("pod.healthy", healthy, settings).status is Status.PASS


@pytest.mark.parametrize("check", HTTP_CHECKS, ids=lambda c: c.id)
def test_http_checks_skip_without_data_plane_and_never_pass(check, healthy, settings):
    result = run_smoke(healthy, settings, [check])[0]
    assert result.status is Status.SKIP
    assert result.skipped == "no data plane"


@pytest.fixture
def gateway_env(healthy, ca) -> Snapshot:
    """The healthy environment exposed through Gateway API instead of an Ingress."""
    healthy.ingresses.clear()
    healthy.tls_secrets[:] = [tls_secret("edge-tls", ca, "api.acme.com")]
    healthy.tls_secrets[0]["metadata"]["namespace"] = "traefik"
    healthy.gateways = [{"metadata": {"name": "acme-gateway", "namespace": "traefik"}, "spec": {"listeners": [
        {"name": "web", "protocol": "HTTP", "port": 80},
        {"name": "websecure", "protocol": "HTTPS", "port": 443, "hostname": "*.acme.com",
         "tls": {"certificateRefs": [{"kind": "Secret", "name": "edge-tls"}]}}]}}]
    parent = {"name": "acme-gateway", "namespace": "traefik"}
    healthy.http_routes = [
        {"metadata": {"name": "acme-api", "namespace": NS}, "spec": {
            "parentRefs": [{**parent, "sectionName": "websecure"}], "hostnames": ["api.acme.com"],
            "rules": [{"backendRefs": [{"name": "acme-api", "port": 80}]}]}},
        {"metadata": {"name": "acme-api-redirect", "namespace": NS}, "spec": {
            "parentRefs": [{**parent, "sectionName": "web"}], "hostnames": ["api.acme.com"],
            "rules": [{"filters": [{"type": "RequestRedirect"}]}]}},
    ]
    return healthy


@pytest.mark.parametrize("check_id", ["certificate.valid", "exposure.internal"])
def test_gateway_environment_passes(gateway_env, settings, check_id):
    result = outcome(check_id, gateway_env, settings)
    assert result.status is Status.PASS, result.findings


GATEWAY_BREAKS: list[tuple[str, str, Callable[[Snapshot], None]]] = [
    ("certificate.valid", "listener-secret-missing", lambda s: s.tls_secrets.clear()),
    ("certificate.valid", "secret-in-wrong-namespace", lambda s: s.tls_secrets[0]["metadata"].update(namespace=NS)),
    ("certificate.valid", "host-outside-listener",
     lambda s: s.gateways[0]["spec"]["listeners"][1].update(hostname="*.example.com")),
    ("certificate.valid", "gateway-missing", lambda s: s.gateways.clear()),
    ("certificate.valid", "certificate-for-another-host",
     lambda s: s.http_routes[0]["spec"].update(hostnames=["www.acme.com"])),
    ("exposure.internal", "route-to-database",
     lambda s: s.http_routes[0]["spec"]["rules"][0]["backendRefs"][0].update(name="acme-db")),
]


@pytest.mark.parametrize(("check_id", "breaker"), [(c, b) for c, _, b in GATEWAY_BREAKS],
                         ids=[f"{c}:{n}" for c, n, _ in GATEWAY_BREAKS])
def test_gateway_environment_fails_when_broken(gateway_env, settings, check_id, breaker):
    breaker(gateway_env)
    assert outcome(check_id, gateway_env, settings).status is Status.FAIL
