"""Smoke checks that need a data plane skip without one, and never pass.

Every smoke check's broken and sound cases live in tests/checks (smoke_cases.py).
"""

from __future__ import annotations

import pytest

from harness.checks.registry import Subject, all_checks
from harness.checks.run import Status, run_smoke

HTTP_CHECKS = [c for c in all_checks(Subject.SNAPSHOT) if c.id.startswith("http.")]


@pytest.mark.parametrize("check", HTTP_CHECKS, ids=lambda c: c.id)
def test_http_checks_skip_without_data_plane_and_never_pass(check, healthy, settings):
    result = run_smoke(healthy, settings, [check])[0]
    assert result.status is Status.SKIP
    assert result.skipped == "no data plane"
