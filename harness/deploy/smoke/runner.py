"""Run the smoke checks over a snapshot, optionally re-reading until they pass or time runs out."""

from __future__ import annotations

import time
from typing import Callable

from ...checks.registry import Subject, select_checks
from ...checks.run import Outcome, failed, run_smoke
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def run(snapshot: Snapshot, settings: SmokeSettings, only: list[str] | None = None) -> list[Outcome]:
    return run_smoke(snapshot, settings, select_checks(only, Subject.SNAPSHOT))


def run_until_settled(load: Callable[[], Snapshot], settings: SmokeSettings, wait_seconds: float,
                      only: list[str] | None = None, interval: float = 2.0) -> list[Outcome]:
    """Right after a deploy pods are still starting: retry failures for up to `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        outcomes = run(load(), settings, only)
        if not failed(outcomes) or time.monotonic() >= deadline:
            return outcomes
        time.sleep(interval)
