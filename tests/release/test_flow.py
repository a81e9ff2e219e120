"""The release flow's decisions and exit codes, with the cluster faked (tests/release/conftest.py).
The same flow against the real local cluster: test_release_e2e.py."""

from __future__ import annotations

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.deploy.release import flow
from harness.deploy.release.flow import ReleaseOptions, release
from harness.checks.run import Status
from harness.deploy.release.outcome import Exit

OPTIONS = ReleaseOptions(env="staging", confirm_context="ctx", settle_seconds=0)
GATES = ["run_lint", "run_unittest", "run_render_checks", "run_upgrade_safety"]


def run(options: ReleaseOptions = OPTIONS):
    return release(Project.discover(), options, log=lambda line: None)


def test_green_release_applies_and_verifies(fake_cluster) -> None:
    record = run()
    assert record.exit is Exit.RELEASED
    assert fake_cluster.calls == [*GATES, "diff", "apply", "smoke"]
    assert record.changed == {"acme-api": (3, 4)}, "acme-ui did not move: not reported as changed"
    assert [s.status for s in record.steps] == [Status.PASS] * 7


def test_nothing_to_change_skips_apply_but_still_smoke_checks(fake_cluster) -> None:
    fake_cluster.diff_changes = False
    record = run()
    assert record.exit is Exit.RELEASED
    assert "apply" not in fake_cluster.calls and fake_cluster.calls[-1] == "smoke"
    assert next(s for s in record.steps if s.name == "helmfile apply").status == Status.SKIP
    assert record.changed == {}


@pytest.mark.parametrize("gate", GATES, ids=GATES)
def test_a_failed_gate_deploys_nothing(fake_cluster, gate: str) -> None:
    fake_cluster.failing_gate = gate
    record = run()
    assert record.exit is Exit.PREFLIGHT_FAILED
    assert fake_cluster.calls == GATES, "every gate runs (one report lists all failures), nothing after them"


def test_failed_apply_is_reported_not_rolled_back_again(fake_cluster) -> None:
    fake_cluster.apply_error = "helmfile -e staging apply failed: timed out waiting for the condition"
    record = run()
    assert record.exit is Exit.APPLY_FAILED
    assert fake_cluster.calls[-1] == "apply"


def test_failed_smoke_rolls_back_what_this_run_changed(fake_cluster) -> None:
    fake_cluster.smoke = [False, True]
    record = run()
    assert record.exit is Exit.ROLLED_BACK
    assert fake_cluster.calls[-3:] == ["smoke", "rollback {'acme-api': 3}", "smoke"]
    assert record.rolled_back == {"acme-api": 3}
    assert record.smoke and record.smoke_after_rollback


def test_old_revision_failing_too_needs_a_human(fake_cluster) -> None:
    fake_cluster.smoke = [False, False]
    assert run().exit is Exit.NEEDS_HUMAN


def test_smoke_failing_without_any_change_has_nothing_to_roll_back(fake_cluster) -> None:
    fake_cluster.diff_changes, fake_cluster.smoke = False, [False]
    record = run()
    assert record.exit is Exit.NEEDS_HUMAN
    assert not any(c.startswith("rollback") for c in fake_cluster.calls)
    assert "nothing to roll back" in record.steps[-1].detail


def test_no_rollback_leaves_the_deploy_in_place(fake_cluster) -> None:
    fake_cluster.smoke = [False]
    record = run(ReleaseOptions(env="staging", confirm_context="ctx", settle_seconds=0, rollback=False))
    assert record.exit is Exit.NEEDS_HUMAN
    assert not any(c.startswith("rollback") for c in fake_cluster.calls)


def test_skip_preflight_is_recorded_as_skipped(fake_cluster) -> None:
    record = run(ReleaseOptions(env="staging", confirm_context="ctx", settle_seconds=0, preflight=False))
    assert record.steps[0].status == Status.SKIP and record.exit is Exit.RELEASED
    assert fake_cluster.calls == ["diff", "apply", "smoke"]


def test_unreachable_cluster_is_bad_input(fake_cluster, monkeypatch) -> None:
    monkeypatch.setattr(flow, "reachable", lambda api, timeout=5: False)
    with pytest.raises(HarnessError, match="not reachable"):
        run()
    assert fake_cluster.calls == []
