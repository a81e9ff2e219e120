"""What a release run records: its steps, what changed, and the exit code a CI system acts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ...checks.run import Outcome as SmokeOutcome
from ...checks.run import Status
from ..traffic import UrlSummary
from .analysis import Decision


class Exit(IntEnum):
    """Exit codes of `harness release` (documented in the README's Release section)."""

    RELEASED = 0  # applied (or nothing to apply) and every smoke check passed
    BAD_INPUT = 2  # unknown environment, unreachable cluster, unconfirmed context: nothing touched
    PREFLIGHT_FAILED = 3  # lint/unittest/render checks/upgrade safety failed: nothing deployed
    APPLY_FAILED = 4  # helmfile apply failed; helm's --atomic already rolled the failed release back
    ROLLED_BACK = 5  # smoke failed; this run's changes were rolled back and the old revision passes smoke
    NEEDS_HUMAN = 6  # smoke failed and rollback failed, or the rolled-back revision still fails smoke
    CANARY_ABORTED = 7  # a canary step failed its analysis: weight 0, canary removed, the stable track passes smoke


@dataclass
class Step:
    name: str
    status: Status
    seconds: float
    detail: str  # one line for the summary table
    output: str = ""  # the long form (a diff, failure lines) for the Markdown report


@dataclass(frozen=True)
class Observation:
    """Requests a blue-green step sent through the edge itself, and how many the colour behind the
    host counted over the same window (Prometheus; None where it was not read)."""

    step: str
    requests: UrlSummary
    answered: float | None = None


@dataclass
class ReleaseRecord:
    env: str
    context: str = ""
    steps: list[Step] = field(default_factory=list)
    before: dict[str, int] = field(default_factory=dict)  # release -> deployed revision before the run
    after: dict[str, int] = field(default_factory=dict)  # release -> newest revision after the apply
    rolled_back: dict[str, int] = field(default_factory=dict)  # release -> revision restored
    smoke: list[SmokeOutcome] = field(default_factory=list)  # right after the apply
    smoke_after_rollback: list[SmokeOutcome] = field(default_factory=list)
    exit: Exit = Exit.RELEASED
    strategy: str = "rolling"
    decisions: list[Decision] = field(default_factory=list)  # a canary's, one per analysed step
    observations: list[Observation] = field(default_factory=list)  # a blue-green release's edge requests

    @property
    def changed(self) -> dict[str, tuple[int | None, int]]:
        """release -> (revision before, revision after) for every release this run moved."""
        return {name: (self.before.get(name), rev) for name, rev in sorted(self.after.items())
                if self.before.get(name) != rev}
