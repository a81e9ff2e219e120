"""Smoke checks against the deployed local environment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.checks.run import Status

pytestmark = pytest.mark.e2e


def test_smoke_passes_and_http_checks_are_skipped_not_passed(api, deployed):
    outcomes = runner.run(snapshot.load(api, deployed.namespace), deployed)
    failures = [(o.check.id, o.findings) for o in outcomes if o.status is Status.FAIL]
    assert failures == []
    http = [o for o in outcomes if o.check.id.startswith("http.")]
    assert http and all(o.status is Status.SKIP and o.skipped == "no data plane" for o in http)


def test_smoke_fails_when_a_release_is_expected_at_another_revision(api, deployed):
    outcomes = runner.run(snapshot.load(api, deployed.namespace),
                          replace(deployed, expected_revisions={"acme-api": 9999}), only=["release"])
    assert [o.status for o in outcomes] == [Status.FAIL]
