"""Run the smoke checks over a snapshot, optionally re-reading until they pass or time runs out."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from ...checks.registry import Subject, select_checks
from ...checks.run import Outcome, failed, run_smoke
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot
from ...live.wire import WireMatrix

WIRE_CHECK = "networkpolicy.wire"


def run(snapshot: Snapshot, settings: SmokeSettings, only: list[str] | None = None) -> list[Outcome]:
    return run_smoke(snapshot, settings, select_checks(only, Subject.SNAPSHOT))


def run_until_settled(load: Callable[[], Snapshot], settings: SmokeSettings, wait_seconds: float,
                      only: list[str] | None = None, interval: float = 2.0,
                      wire: Callable[[], WireMatrix] | None = None) -> list[Outcome]:
    """Right after a deploy pods are still starting: retry failures for up to `wait_seconds`.

    `wire` measures the isolation matrix on the wire; it takes seconds and pods of its own, so it
    runs once, after everything else passed, and `networkpolicy.wire` is judged on it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        snapshot = load()
        outcomes = run(snapshot, settings, only)
        if not failed(outcomes) or time.monotonic() >= deadline:
            break
        time.sleep(interval)
    if wire is None or not any(o.check.id == WIRE_CHECK for o in outcomes):
        return outcomes
    matrix = WireMatrix(not_measured="not measured: other smoke checks failed, so pods may not be Ready") \
        if failed(outcomes) else wire()
    judged = run(replace(snapshot, wire=matrix), settings, [WIRE_CHECK])
    return [judged[0] if o.check.id == WIRE_CHECK else o for o in outcomes]
