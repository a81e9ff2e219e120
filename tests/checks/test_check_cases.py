"""Every registered check, render and smoke, is held to its cases: a check that cannot fail is a defect.

The registries are the source of truth: a check without a broken case and a sound case fails
here, and so does a case whose check is no longer registered. Each broken case must yield exactly
the findings it names (object, field, message key); each sound case must run and find nothing.
"""

from __future__ import annotations

import pytest

import progressive_cases
import render_cases
import smoke_cases
from case import Case, mismatch
from harness.checks.registry import CheckSkipped, Subject, all_checks
from harness.checks.run import Status, run_smoke

RENDER = {c.id: c for c in all_checks(Subject.SCENARIO)}
SMOKE = {c.id: c for c in all_checks(Subject.SNAPSHOT)}
CASES = [*render_cases.CASES, *progressive_cases.CASES, *smoke_cases.CASES]
ALL_IDS = sorted(set(RENDER) | set(SMOKE) | {case.check_id for case in CASES})


def run(case: Case, request: pytest.FixtureRequest) -> list:
    """The findings of the case's check on the case's input; a skip fails the case (it proves nothing)."""
    if case.check_id in RENDER:
        check = RENDER[case.check_id]
        try:
            return list(check.run(case.build(), check))
        except CheckSkipped as skip:
            pytest.fail(f"{case.id}: the check skipped ({skip}); a case must make it run")
    if case.check_id in SMOKE:
        logs = case.check_id == "observability.logs-shipped"
        site = request.getfixturevalue("site") if case.check_id.startswith("http.") or logs else None
        prometheus = request.getfixturevalue("prometheus_site") if case.check_id.startswith("observability.") else None
        store = request.getfixturevalue("log_store") if logs else None
        snapshot, settings = case.build(smoke_cases.World(request.getfixturevalue("ca"), site, prometheus, store))
        (outcome,) = run_smoke(snapshot, settings, [SMOKE[case.check_id]])
        if outcome.status is Status.SKIP:
            pytest.fail(f"{case.id}: the check skipped ({outcome.skipped}); a case must make it run")
        return list(outcome.findings)
    pytest.fail(f"{case.id}: no registered check has the id {case.check_id}")


@pytest.mark.parametrize("check_id", ALL_IDS)
def test_every_check_has_broken_and_sound_cases(check_id):
    cases = [c for c in CASES if c.check_id == check_id]
    assert check_id in RENDER or check_id in SMOKE, f"cases for {check_id}, which no registry holds"
    assert any(not c.sound for c in cases), f"{check_id} has no broken case: nothing shows it can fail"
    assert any(c.sound for c in cases), f"{check_id} has no sound case: nothing shows it can pass"


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert sorted(ids) == sorted(set(ids))


@pytest.mark.parametrize("case", [c for c in CASES if not c.sound], ids=lambda c: c.id)
def test_broken_case_yields_exactly_its_findings(case, request):
    problem = mismatch(case, run(case, request))
    assert problem == "", f"{case.id}:\n{problem}"


@pytest.mark.parametrize("case", [c for c in CASES if c.sound], ids=lambda c: c.id)
def test_sound_case_yields_nothing(case, request):
    findings = run(case, request)
    assert findings == [], "\n".join(f"{f.object} {f.field}: {f.message}" for f in findings)
