"""The judgement of one progressive-delivery step: a canary's (or a new colour's) error rate and
p99 latency over the step's interval against absolute thresholds and against the stable track,
plus the smoke checks (counters.py reads the numbers). Pure: the numbers come in, a decision with every
number it was based on goes out, so the release report can show why and the tests can hold it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from ...core.errors import HarnessError


class Verdict(Enum):
    PROCEED = "proceed"  # the next step (or promotion after the last)
    ABORT = "abort"      # weight back to 0, the canary rolled back


@dataclass(frozen=True)
class Thresholds:
    max_error_rate: float = 0.01          # absolute, fraction of requests answered 5xx
    max_p99_seconds: float = 0.5          # absolute
    max_error_rate_increase: float = 0.01  # over the stable track's, in fraction points
    max_p99_ratio: float = 1.5            # of the stable track's p99 ...
    p99_slack_seconds: float = 0.05       # ... or its p99 plus this, whichever is larger (ms-scale p99s are noisy)
    min_requests: int = 20                # fewer canary requests in the interval cannot be judged


@dataclass(frozen=True)
class TrackMetrics:
    """One track over the interval, as Prometheus answered."""

    requests: float
    errors: float
    p99_seconds: float  # NaN when the track answered no request

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Decision:
    weight: int
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)  # every failed criterion, with its numbers
    canary: TrackMetrics | None = None
    stable: TrackMetrics | None = None
    smoke_failures: int = 0

    def line(self) -> str:
        numbers = ""
        if self.canary is not None and self.stable is not None:
            numbers = (f" canary {self.canary.requests:.0f} requests, {self.canary.error_rate:.2%} errors, "
                       f"p99 {ms(self.canary.p99_seconds)}; stable {self.stable.requests:.0f} requests, "
                       f"{self.stable.error_rate:.2%} errors, p99 {ms(self.stable.p99_seconds)};")
        why = "; ".join(self.reasons) if self.reasons else "every criterion met"
        return f"step {self.weight}%: {self.verdict.value}:{numbers} {why}"


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def parse_steps(text: str) -> list[int]:
    """"10,50,100" -> [10, 50, 100]: integer weights in (0, 100], rising, the last 100."""
    try:
        steps = [int(part) for part in text.split(",")]
    except ValueError:
        raise HarnessError(f"--steps: {text!r} is not a comma-separated list of integer weights, e.g. 10,50,100") from None
    if any(not 0 < s <= 100 for s in steps):
        raise HarnessError(f"--steps: every weight must be between 1 and 100 percent, got {text}")
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise HarnessError(f"--steps: weights must rise step by step, got {text}")
    if steps[-1] != 100:
        raise HarnessError(f"--steps: the last step must be 100 (the canary takes all traffic before promotion), got {text}")
    return steps


def over_limits(track: TrackMetrics, t: Thresholds, name: str) -> tuple[list[str], list[str]]:
    """The absolute criteria, whatever another track did: (the error rate's reasons, the p99's)."""
    error_rate = [f"error rate {track.error_rate:.2%} above the absolute {t.max_error_rate:.2%}"] \
        if track.error_rate > t.max_error_rate else []
    if math.isnan(track.p99_seconds):
        return error_rate, [f"no p99 latency for the {name}"]
    return error_rate, [f"p99 {ms(track.p99_seconds)} above the absolute {ms(t.max_p99_seconds)}"] \
        if track.p99_seconds > t.max_p99_seconds else []


def decide(weight: int, canary: TrackMetrics, stable: TrackMetrics, thresholds: Thresholds,
           smoke_failures: int = 0) -> Decision:
    """PROCEED only when the smoke checks passed and every criterion holds; ABORT names each one that failed."""
    t, reasons = thresholds, []
    if smoke_failures:
        reasons.append(f"{smoke_failures} smoke check(s) failed against the canary's Service")
    if canary.requests < t.min_requests:
        reasons.append(f"{canary.requests:.0f} canary requests in the interval, fewer than the {t.min_requests} "
                       "needed to judge it")
    else:
        error_rate, p99 = over_limits(canary, t, "canary")
        reasons += error_rate
        if canary.error_rate > stable.error_rate + t.max_error_rate_increase:
            reasons.append(f"error rate {canary.error_rate:.2%} above the stable's {stable.error_rate:.2%} "
                           f"+ {t.max_error_rate_increase:.2%}")
        reasons += p99
        if not math.isnan(canary.p99_seconds) and not math.isnan(stable.p99_seconds):
            limit = max(stable.p99_seconds * t.max_p99_ratio, stable.p99_seconds + t.p99_slack_seconds)
            if canary.p99_seconds > limit:
                reasons.append(f"p99 {ms(canary.p99_seconds)} above {ms(limit)} (the stable's "
                               f"{ms(stable.p99_seconds)} x {t.max_p99_ratio:g}, at least + {ms(t.p99_slack_seconds)})")
    verdict = Verdict.ABORT if reasons else Verdict.PROCEED
    return Decision(weight, verdict, reasons, canary, stable, smoke_failures)
