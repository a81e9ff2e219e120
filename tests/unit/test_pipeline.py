"""Running checks over scenarios: a failed render is reported once and blocks the other checks."""

import factories as f
from harness.checks.run import run_checks
from harness.checks.registry import select_checks


def test_failed_render_skips_other_checks_and_reports_itself():
    scenario = f.scenario(f.deployment())
    scenario.render_errors = ["acme-api: Error: boom"]
    outcomes = {o.check.id: o for o in run_checks([scenario], select_checks(["render", "probes.readiness"]))}
    assert len(outcomes["render.template"].findings) == 1
    assert outcomes["probes.readiness"].skipped.startswith("render failed")
    assert outcomes["probes.readiness"].findings == []


def test_environment_checks_only_run_on_environment_scenarios():
    chart_case = f.scenario(f.deployment())
    environment = f.scenario(f.deployment(), is_environment=True)
    ran = {(o.subject, o.check.id) for o in run_checks([chart_case], select_checks(["isolation.flows"]))}
    assert ran == set()
    environment.name = "env/unit"
    ran = {(o.subject, o.check.id) for o in run_checks([environment], select_checks(["isolation.flows"]))}
    assert ran == {("env/unit", "isolation.flows")}
