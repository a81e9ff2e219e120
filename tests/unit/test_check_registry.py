"""The one check framework: registration, duplicate ids, one subject per family, selection, status."""

from __future__ import annotations

from typing import Iterator

import pytest

from harness.checks import registry
from harness.checks.registry import Check, Needs, Severity, Subject, all_checks, check, select_checks, smoke_check
from harness.checks.run import Outcome, Status, run_checks, run_smoke
from harness.core.errors import HarnessError
from harness.core.manifests import ObjectRef
from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot


@pytest.fixture
def scratch_registry(monkeypatch) -> Iterator[dict[str, Check]]:
    """The real registry's checks in a copy, so a test registers without leaking into others."""
    all_checks()  # import every family first
    copy = dict(registry._REGISTRY)
    monkeypatch.setattr(registry, "_REGISTRY", copy)
    yield copy


def test_render_and_smoke_checks_share_one_registry():
    subjects = {c.subject for c in all_checks()}
    assert subjects == {Subject.SCENARIO, Subject.SNAPSHOT}
    assert {c.id for c in all_checks(Subject.SNAPSHOT)} >= {"pod.healthy", "certificate.valid", "http.tls"}
    assert "tls.hosts" in {c.id for c in all_checks(Subject.SCENARIO)}


def test_a_duplicate_id_is_refused(scratch_registry):
    with pytest.raises(RuntimeError, match="duplicate check id probes.readiness"):
        check("probes.readiness", "again", lambda scenario, check: [])
    with pytest.raises(RuntimeError, match="duplicate check id pod.healthy"):
        smoke_check("pod.healthy", "again", lambda snap, settings, check: [])


def test_a_family_belongs_to_one_subject(scratch_registry):
    with pytest.raises(RuntimeError, match="family `tls` already holds scenario checks"):
        smoke_check("tls.certificates", "a live check in a render family", lambda snap, settings, check: [])
    with pytest.raises(RuntimeError, match="family `pod` already holds snapshot checks"):
        check("pod.something", "a render check in a smoke family", lambda scenario, check: [])
    smoke_check("newfamily.live", "a new family is free", lambda snap, settings, check: [])
    assert scratch_registry["newfamily.live"].subject is Subject.SNAPSHOT


def test_selection_by_id_and_family_per_subject():
    assert [c.id for c in select_checks(["tls.hosts"])] == ["tls.hosts"]
    assert {c.id for c in select_checks(["tls"])} == {"tls.hosts", "tls.issuer", "tls.redirect"}
    assert {c.id for c in select_checks(["http"], Subject.SNAPSHOT)} == {
        "http.api-health", "http.hsts", "http.redirect", "http.static-cache", "http.tls"}
    assert select_checks(None, Subject.SNAPSHOT) == all_checks(Subject.SNAPSHOT)
    assert len(select_checks(["tls", "tls.hosts"])) == 3, "a check selected twice runs once"


def test_a_renamed_id_still_selects_its_check():
    assert [c.id for c in select_checks(["tls.certificates"], Subject.SNAPSHOT)] == ["certificate.valid"]


def test_an_unknown_id_is_bad_input():
    with pytest.raises(HarnessError, match=r"unknown check id `rollout.nope` \(see `harness checks`\)"):
        select_checks(["rollout.nope"])


def test_an_id_of_the_other_subject_names_the_command():
    with pytest.raises(HarnessError, match="`pod.healthy` names smoke checks, not render checks"):
        select_checks(["pod.healthy"])
    with pytest.raises(HarnessError, match="`probes` names render checks, not smoke checks"):
        select_checks(["probes"], Subject.SNAPSHOT)


def test_runners_refuse_a_check_of_the_other_subject():
    smoke = next(c for c in all_checks() if c.id == "pod.healthy")
    render = next(c for c in all_checks() if c.id == "probes.readiness")
    with pytest.raises(ValueError, match="pod.healthy runs over a snapshot, not a scenario"):
        run_checks([], [smoke])
    with pytest.raises(ValueError, match="probes.readiness runs over a scenario, not a snapshot"):
        run_smoke(Snapshot("acme"), SmokeSettings(), [render])


def _outcome(*severities: Severity, skipped: str = "") -> Outcome:
    probe = Check("probes.readiness", "d", Severity.ERROR, Subject.SCENARIO, Needs.ANY, lambda *a: [])
    findings = [registry.Finding("probes.readiness", s, ObjectRef("Deployment", "acme", "a"), "f", "m")
                for s in severities]
    return Outcome("acme-api/defaults", probe, findings, skipped)


@pytest.mark.parametrize(("outcome", "status"), [
    (_outcome(), Status.PASS),
    (_outcome(Severity.WARNING), Status.PASS),
    (_outcome(Severity.WARNING, Severity.ERROR), Status.FAIL),
    (_outcome(skipped="no API server"), Status.SKIP),
], ids=["no-findings", "warning-only", "an-error", "skipped"])
def test_severity_decides_the_status_for_every_subject(outcome, status):
    assert outcome.status is status


def test_smoke_outcomes_name_the_snapshot_and_locate_findings():
    service = next(c for c in all_checks() if c.id == "service.endpoints")
    snap = Snapshot("acme", services=[{"metadata": {"name": "acme-api"}, "spec": {"type": "ClusterIP"}}])
    [outcome] = run_smoke(snap, SmokeSettings(env="staging"), [service])
    assert outcome.subject == "staging/acme" and outcome.status is Status.FAIL
    assert [(f.scenario, str(f.object), f.field) for f in outcome.findings] == [
        ("staging/acme", "Service/acme-api", "endpoints")]


def test_each_family_lives_in_one_file_named_after_it():
    """`pdb.allows-disruption` is in checks/smoke/pdb.py, `tls.hosts` in checks/render/tls.py."""
    folder = {Subject.SCENARIO: "render", Subject.SNAPSHOT: "smoke"}
    misplaced = [f"{c.id} in {c.run.__module__}" for c in all_checks()
                 if c.run.__module__ != f"harness.checks.{folder[c.subject]}.{c.family}"]
    assert misplaced == []
