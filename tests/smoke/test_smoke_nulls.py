"""Smoke checks read explicit nulls (Helm's rendering of empty values, kept in the release record) as absent."""

from __future__ import annotations

import copy

from smoke_objects import release_secret
from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke
from harness.live.releases import revisions
from harness.live.snapshot import Snapshot

# The checks of the API's objects alone (http.* need a site, observability.* a Prometheus and
# networkpolicy.wire a measured matrix, never the API's JSON: their cases hold them to nulls).
API_CHECKS = [c for c in all_checks(Subject.SNAPSHOT)
              if c.family not in ("http", "observability") and c.id != "networkpolicy.wire"]


def with_nulls(snap: Snapshot) -> Snapshot:
    """The healthy environment with a null in every optional field the smoke checks read."""
    deny, api_policy = snap.network_policies
    deny["spec"]["podSelector"] = None  # not optional in the API: null decodes to {} (every pod)
    api_policy["spec"]["ingress"] = [{"from": None, "ports": None}]
    for pod in snap.pods:
        pod["status"]["containerStatuses"][0].update(restartCount=None)
    snap.deployments[0]["status"]["conditions"] = None
    snap.hpas[0]["spec"]["minReplicas"] = None
    snap.deployments[0]["spec"]["replicas"] = 3
    snap.ingresses[0]["spec"].update(defaultBackend=None)
    snap.ingresses[0]["spec"]["rules"].append({"host": "api.acme.com", "http": {"paths": None}})
    snap.services[0]["metadata"]["labels"] = None
    # The deployed revision's manifest as helm stored it: the HPA's minReplicas left empty too.
    current = next(r for r in revisions(snap.release_secrets)["acme-api"] if r.status == "deployed")
    docs = copy.deepcopy(current.manifest())
    next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")["spec"]["minReplicas"] = None
    snap.release_secrets[snap.release_secrets.index(current.secret)] = release_secret("acme-api", 2, "deployed", docs)
    return snap


def test_every_api_check_passes_with_nulls(healthy, settings):
    snap = with_nulls(healthy)
    results = {o.check.id: o for o in run_smoke(snap, settings, API_CHECKS)}
    failing = {i: [(str(f.object), f.field, f.message) for f in r.findings] for i, r in results.items()
               if r.status is not Status.PASS}
    assert failing == {}


def test_null_disruptions_allowed_is_zero(healthy, settings):
    healthy.pdbs[0]["status"]["disruptionsAllowed"] = None
    check = next(c for c in API_CHECKS if c.id == "pdb.allows-disruption")
    (result,) = run_smoke(healthy, settings, [check])
    assert [(str(f.object), f.field) for f in result.findings] == [
        ("PodDisruptionBudget/acme/acme-api", "status.disruptionsAllowed")]
