"""networkpolicy.wire skips, saying why, where nothing was measured (its cases make it run, so
its skips are held here)."""

from __future__ import annotations

from dataclasses import replace

from harness.checks.registry import Subject, select_checks
from harness.checks.run import run_smoke
from harness.checks.smoke.networkpolicy import NOT_MEASURED
from harness.live.settings import SmokeSettings
from harness.live.wire import WireMatrix
from smoke_objects import healthy_snapshot

WIRE = select_checks(["networkpolicy.wire"], Subject.SNAPSHOT)


def test_without_a_measurement_it_names_where_one_is_made(ca):
    assert run_smoke(healthy_snapshot(ca), SmokeSettings(), WIRE)[0].skipped == NOT_MEASURED
    assert NOT_MEASURED.startswith("not measured: the on-the-wire matrix needs probe pods on the local cluster's real node")


def test_a_measurement_left_out_carries_its_own_reason(ca):
    snap = replace(healthy_snapshot(ca), wire=WireMatrix(not_measured="not measured: other smoke checks failed"))
    assert run_smoke(snap, SmokeSettings(), WIRE)[0].skipped == "not measured: other smoke checks failed"
