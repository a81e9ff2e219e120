"""Smoke checks that need a data plane skip without one, and never pass; the runner measures the wire once.

Every smoke check's broken and sound cases live in tests/checks (smoke_cases.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke
from harness.deploy.smoke import runner
from harness.live.wire import WireMatrix, WireRow

HTTP_CHECKS = [c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")]


@pytest.mark.parametrize("check", HTTP_CHECKS, ids=lambda c: c.id)
def test_http_checks_skip_without_data_plane_and_never_pass(check, healthy, settings):
    result = run_smoke(healthy, settings, [check])[0]
    assert result.status is Status.SKIP
    assert result.skipped == "no data plane"


def test_the_runner_measures_the_wire_once_and_only_after_everything_else_passed(healthy, settings):
    calls = []
    matrix = WireMatrix((WireRow("ui", "db", 5432, "TCP", False, False, "open"),))

    def measure() -> WireMatrix:
        calls.append(1)
        return matrix

    outcomes = {o.check.id: o for o in runner.run_until_settled(lambda: healthy, settings, 0, wire=measure)}
    assert calls == [1]
    assert [f.message for f in outcomes[runner.WIRE_CHECK].findings] == [
        "the connection opened on the wire; the contract denies"]
    assert outcomes["pod.healthy"].status is Status.PASS  # the other outcomes are the loop's own

    broken = replace(healthy, network_policies=[])  # networkpolicy.in-force fails
    outcomes = {o.check.id: o for o in runner.run_until_settled(lambda: broken, settings, 0, wire=measure)}
    assert calls == [1], "measured although the environment had not settled"
    assert outcomes[runner.WIRE_CHECK].skipped == "not measured: other smoke checks failed, so pods may not be Ready"

    runner.run_until_settled(lambda: healthy, settings, 0, only=["pod"], wire=measure)
    assert calls == [1], "measured although networkpolicy.wire was not selected"
