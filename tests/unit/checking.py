"""Run one registered check on a scenario and return its findings (test helper)."""

from __future__ import annotations

from harness.checks.registry import Finding, all_checks
from harness.render.scenario import Scenario


def run_check(check_id: str, scenario: Scenario) -> list[Finding]:
    check = next(c for c in all_checks() if c.id == check_id)
    return list(check.run(scenario, check))


def refs(findings: list[Finding]) -> set[tuple[str, str, str]]:
    """(check id, object, field) of each finding: what a test asserts on."""
    return {(f.check_id, str(f.object), f.field) for f in findings}
