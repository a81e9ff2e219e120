"""Run checks over their subjects: one Outcome per (subject, check), PASS, FAIL or SKIP."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..live.settings import SmokeSettings
from ..live.snapshot import Snapshot
from ..render.scenario import Scenario
from .registry import Check, CheckSkipped, Finding, Needs, Severity, Subject

RENDER_CHECK = "render.template"


class Status(StrEnum):
    """Of a check run and of a release step alike; a SKIP is never a PASS."""

    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass
class Outcome:
    subject: str  # the scenario's name, or the snapshot's env/namespace
    check: Check
    findings: list[Finding] = field(default_factory=list)
    skipped: str = ""  # why the check could not run; a skip is never a pass

    @property
    def status(self) -> Status:
        if self.skipped:
            return Status.SKIP
        return Status.FAIL if any(f.severity is Severity.ERROR for f in self.findings) else Status.PASS


def failed(outcomes: list[Outcome]) -> bool:
    return any(o.status is Status.FAIL for o in outcomes)


def _expect(check: Check, subject: Subject) -> None:
    if check.subject is not subject:
        raise ValueError(f"{check.id} runs over a {check.subject.value}, not a {subject.value}")


def run_checks(scenarios: list[Scenario], checks: list[Check]) -> list[Outcome]:
    for check in checks:
        _expect(check, Subject.SCENARIO)
    outcomes = []
    for scenario in scenarios:
        for check in checks:
            if check.needs is Needs.ENVIRONMENT and not scenario.is_environment:
                continue
            outcome = Outcome(scenario.name, check)
            if scenario.render_errors and check.id != RENDER_CHECK:
                # Checks on a partial render would report symptoms of the failure, not findings.
                outcome.skipped = f"render failed (see {RENDER_CHECK})"
                outcomes.append(outcome)
                continue
            try:
                outcome.findings = [f.located(scenario.name) for f in check.run(scenario, check)]
            except CheckSkipped as skip:
                outcome.skipped = str(skip)
            outcomes.append(outcome)
    for schemas in {id(s.schemas): s.schemas for s in scenarios if s.schemas and s.schemas.available}.values():
        schemas.save()
    return outcomes


def snapshot_name(snapshot: Snapshot, settings: SmokeSettings) -> str:
    return f"{settings.env}/{snapshot.namespace}"


def run_smoke(snapshot: Snapshot, settings: SmokeSettings, checks: list[Check]) -> list[Outcome]:
    name = snapshot_name(snapshot, settings)
    outcomes = []
    for check in checks:
        _expect(check, Subject.SNAPSHOT)
        outcome = Outcome(name, check)
        try:
            outcome.findings = [f.located(name) for f in check.run(snapshot, settings, check)]
        except CheckSkipped as skip:
            outcome.skipped = str(skip)
        outcomes.append(outcome)
    return outcomes
