"""A canary step's decision: exact verdicts and reasons for each criterion, and bad step lists
refused with one sentence."""

from __future__ import annotations

import math

import pytest

from harness.core.errors import HarnessError
from harness.deploy.release.analysis import Decision, Thresholds, TrackMetrics, Verdict, decide, parse_steps

STABLE = TrackMetrics(requests=900, errors=0, p99_seconds=0.010)
GOOD = TrackMetrics(requests=100, errors=0, p99_seconds=0.012)
T = Thresholds()


def test_a_healthy_canary_proceeds_with_its_numbers() -> None:
    decision = decide(10, GOOD, STABLE, T)
    assert decision == Decision(10, Verdict.PROCEED, [], GOOD, STABLE, 0)
    assert decision.line() == ("step 10%: proceed: canary 100 requests, 0.00% errors, p99 12.0 ms; stable 900 requests, "
                               "0.00% errors, p99 10.0 ms; every criterion met")


def test_twenty_percent_errors_abort_on_both_error_criteria() -> None:
    bad = TrackMetrics(requests=100, errors=20, p99_seconds=0.011)
    assert decide(10, bad, STABLE, T).reasons == ["error rate 20.00% above the absolute 1.00%",
                                                  "error rate 20.00% above the stable's 0.00% + 1.00%"]


def test_errors_the_stable_shares_fail_only_the_absolute_threshold() -> None:
    stable = TrackMetrics(requests=900, errors=27, p99_seconds=0.010)  # 3 %
    canary = TrackMetrics(requests=100, errors=3, p99_seconds=0.010)
    assert decide(50, canary, stable, T).reasons == ["error rate 3.00% above the absolute 1.00%"]
    lenient = Thresholds(max_error_rate=0.05)
    assert decide(50, canary, stable, lenient).verdict is Verdict.PROCEED


def test_a_slow_canary_aborts_against_the_stable_and_the_absolute_limit() -> None:
    slow = TrackMetrics(requests=100, errors=0, p99_seconds=0.300)
    assert decide(10, slow, STABLE, T).reasons == [
        "p99 300.0 ms above 60.0 ms (the stable's 10.0 ms x 1.5, at least + 50.0 ms)"]
    slower = TrackMetrics(requests=100, errors=0, p99_seconds=0.600)
    assert decide(10, slower, STABLE, T).reasons == [
        "p99 600.0 ms above the absolute 500.0 ms",
        "p99 600.0 ms above 60.0 ms (the stable's 10.0 ms x 1.5, at least + 50.0 ms)"]


def test_the_ratio_governs_once_it_exceeds_the_slack() -> None:
    stable = TrackMetrics(requests=900, errors=0, p99_seconds=0.200)
    assert decide(10, TrackMetrics(100, 0, 0.290), stable, T).verdict is Verdict.PROCEED  # limit 300 ms
    assert decide(10, TrackMetrics(100, 0, 0.310), stable, T).reasons == [
        "p99 310.0 ms above 300.0 ms (the stable's 200.0 ms x 1.5, at least + 50.0 ms)"]


def test_too_few_requests_cannot_be_judged() -> None:
    few = TrackMetrics(requests=19, errors=0, p99_seconds=0.010)
    assert decide(10, few, STABLE, T).reasons == ["19 canary requests in the interval, fewer than the 20 needed to judge it"]
    assert decide(10, TrackMetrics(20, 0, 0.010), STABLE, T).verdict is Verdict.PROCEED


def test_a_failed_smoke_check_aborts_whatever_the_metrics() -> None:
    decision = decide(10, GOOD, STABLE, T, smoke_failures=2)
    assert (decision.verdict, decision.reasons) == (Verdict.ABORT, ["2 smoke check(s) failed against the canary's Service"])


def test_no_latency_is_a_failure_and_no_stable_latency_leaves_the_absolute_limit() -> None:
    assert decide(10, TrackMetrics(100, 0, math.nan), STABLE, T).reasons == ["no p99 latency for the canary"]
    assert decide(10, GOOD, TrackMetrics(0, 0, math.nan), T).verdict is Verdict.PROCEED


def test_steps() -> None:
    assert parse_steps("10,50,100") == [10, 50, 100]
    assert parse_steps("100") == [100]


@pytest.mark.parametrize(("text", "message"), [
    ("10,fifty,100", r"--steps: '10,fifty,100' is not a comma-separated list of integer weights, e.g. 10,50,100"),
    ("0,50,100", r"--steps: every weight must be between 1 and 100 percent, got 0,50,100"),
    ("10,150", r"--steps: every weight must be between 1 and 100 percent, got 10,150"),
    ("50,10,100", r"--steps: weights must rise step by step, got 50,10,100"),
    ("10,50", r"--steps: the last step must be 100 \(the canary takes all traffic before promotion\), got 10,50"),
])
def test_bad_steps_are_one_sentence(text: str, message: str) -> None:
    with pytest.raises(HarnessError, match=f"^{message}$"):
        parse_steps(text)
