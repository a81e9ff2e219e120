"""Run the registered checks over rendered scenarios: one Outcome per (scenario, check)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render.scenario import Scenario
from .registry import Check, CheckSkipped, Finding, Needs

RENDER_CHECK = "render.template"


@dataclass
class Outcome:
    scenario: str
    check: Check
    findings: list[Finding] = field(default_factory=list)
    skipped: str = ""



def run_checks(scenarios: list[Scenario], checks: list[Check]) -> list[Outcome]:
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
