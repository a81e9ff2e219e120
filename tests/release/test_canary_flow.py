"""`harness release --strategy canary` with the cluster faked: the order of the steps, the values
each helmfile apply of the one release carries, the decisions (exact lines) and the exit code for
a good canary, a bad one, a failed apply and an analysis that cannot run; the report's Markdown
and JUnit carry every decision."""

from __future__ import annotations

import math
from xml.etree import ElementTree as ET

import pytest

from harness.core import yamlio
from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.checks.run import Status
from harness.deploy.release import canary, counters, report, steps
from harness.deploy.release.analysis import Verdict
from harness.deploy.release.canary import CanaryPlan
from harness.deploy.release.flow import ReleaseOptions, release
from harness.deploy.release.outcome import Exit

INF = math.inf
GOOD = {"acme-api-canary": [(30, 0), (150, 0), (300, 0)], "acme-api": [(270, 0), (150, 0), (0, 0)]}
BAD = {"acme-api-canary": [(30, 6)], "acme-api": [(270, 0)]}


class FakeCanary:
    def __init__(self, monkeypatch, counts: dict[str, list[tuple[int, int]]], cluster) -> None:
        cluster.smoke = [True] * 5  # every step's smoke passes unless a test says otherwise
        self.applied: list[tuple[str, dict]] = []
        self.counts = {service: list(readings) for service, readings in counts.items()}
        self.apply_error_at: int | None = None
        self.read_error = ""
        monkeypatch.setattr(steps, "helmfile_apply", self.apply)
        monkeypatch.setattr(steps, "wait_settled", lambda api, namespace, name: 0.5)
        monkeypatch.setattr(canary.counters, "read", self.read)
        monkeypatch.setattr(canary.time, "sleep", lambda seconds: None)
        monkeypatch.setattr(canary._Steps, "targets", lambda self, deployment: 1)

    def apply(self, project, target, context, selector, values) -> str:
        if self.apply_error_at == len(self.applied):
            self.apply_error_at = None  # once: the abort's own applies go through
            raise HarnessError("helmfile -e local apply failed:\n  Error: timed out waiting for the condition")
        (path,) = values
        self.applied.append((selector, yamlio.load_yaml_file(path)))
        return "applied"

    def read(self, url, service, targets, since, timeout, start=None, interval=0.0):
        if self.read_error:
            raise HarnessError(self.read_error)
        if start is None:
            return counters.Reading({}, {})
        requests, errors = self.counts[service].pop(0)
        return counters.Reading({"pod": {0.01: requests, INF: requests}}, {"pod": errors})


def _run(plan: CanaryPlan):
    return release(Project.discover(), ReleaseOptions(env="staging", confirm_context="ctx", settle_seconds=0,
                                                      preflight=False, canary=plan), log=lambda line: None)


def _plan(**kwargs) -> CanaryPlan:
    return CanaryPlan([10, 50, 100], 10.0, prometheus_url="http://prometheus", **kwargs)


def _rollout(strategy: str, weight: int, **track) -> dict:
    return {"rollout": {"strategy": strategy, "canary": {"weight": weight, "image": {"tag": "", "digest": ""},
                                                         **track}}}


def test_a_good_canary_goes_through_every_step_and_is_promoted(fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, GOOD, fake_cluster)
    record = _run(_plan())
    assert record.exit is Exit.RELEASED and record.strategy == "canary"
    assert [s.name for s in record.steps] == [
        "preflight", "canary: started at weight 0", "canary 10%: apply", "canary 10%: analysis", "canary 50%: apply",
        "canary 50%: analysis", "canary 100%: apply", "canary 100%: analysis",
        "promote: the stable track takes the canary's version", "promote: weight 0", "promote: canary removed", "smoke"]
    assert [values for _, values in fake.applied] == [
        _rollout("canary", 0), _rollout("canary", 10), _rollout("canary", 50), _rollout("canary", 100),
        _rollout("canary", 100), _rollout("canary", 0), _rollout("rolling", 0)]
    assert {selector for selector, _ in fake.applied} == {"name=acme-api"}
    assert [d.line() for d in record.decisions] == [
        "step 10%: proceed: canary 30 requests, 0.00% errors, p99 9.9 ms; stable 270 requests, 0.00% errors, "
        "p99 9.9 ms; every criterion met",
        "step 50%: proceed: canary 150 requests, 0.00% errors, p99 9.9 ms; stable 150 requests, 0.00% errors, "
        "p99 9.9 ms; every criterion met",
        "step 100%: proceed: canary 300 requests, 0.00% errors, p99 9.9 ms; stable 0 requests, 0.00% errors, "
        "p99 n/a; every criterion met"]
    assert record.smoke_after_rollback == []


def test_promotion_gives_the_stable_track_the_canarys_image_while_the_canary_holds_all_traffic(
        fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, GOOD, fake_cluster)
    record = _run(_plan(image_tag="1.0.1", image_digest="sha256:" + "a" * 64))
    image = {"tag": "1.0.1", "digest": "sha256:" + "a" * 64}
    promote = [values for _, values in fake.applied][4:]
    assert [v["rollout"]["strategy"] for v in promote] == ["canary", "canary", "rolling"]
    assert [v["rollout"]["canary"]["weight"] for v in promote] == [100, 0, 0]
    assert all(v["image"] == image and v["rollout"]["canary"]["image"] == image for v in promote)
    assert record.exit is Exit.RELEASED


def test_a_bad_canary_is_aborted_at_the_first_step_and_the_stable_track_verified(fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, BAD, fake_cluster)
    faults = {"faults": {"errorRate": 0.2}}
    record = _run(_plan(track_values=faults))
    assert record.exit is Exit.CANARY_ABORTED
    assert [s.name for s in record.steps][-5:] == ["canary 10%: apply", "canary 10%: analysis", "abort: weight 0",
                                                   "abort: canary removed", "smoke after abort"]
    assert [values for _, values in fake.applied][-2:] == [_rollout("canary", 0, **faults),
                                                           _rollout("rolling", 0, **faults)]
    (decision,) = record.decisions
    assert decision.line() == (
        "step 10%: abort: canary 30 requests, 20.00% errors, p99 9.9 ms; stable 270 requests, 0.00% errors, p99 9.9 ms; "
        "error rate 20.00% above the absolute 1.00%; error rate 20.00% above the stable's 0.00% + 1.00%")
    assert record.smoke_after_rollback, "the smoke run after the abort is kept apart"
    analysis = next(s for s in record.steps if s.name == "canary 10%: analysis")
    assert analysis.status is Status.FAIL and analysis.detail == decision.line()


def test_a_stable_track_failing_smoke_after_the_abort_needs_a_human(fake_cluster, monkeypatch) -> None:
    FakeCanary(monkeypatch, BAD, fake_cluster)
    fake_cluster.smoke = [True, False]
    assert _run(_plan()).exit is Exit.NEEDS_HUMAN


def test_a_failed_apply_aborts_without_an_analysis_of_that_step(fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, GOOD, fake_cluster)
    fake.apply_error_at = 2  # the 50 % step
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    assert [d.weight for d in record.decisions] == [10]
    failed = next(s for s in record.steps if s.status is Status.FAIL)
    assert (failed.name, failed.detail) == ("canary 50%: apply", "Error: timed out waiting for the condition")


def test_an_analysis_that_cannot_run_aborts_and_says_why(fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, GOOD, fake_cluster)
    fake.read_error = "analysis of acme-api-canary: Prometheus: http://prometheus: connection refused"
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    (decision,) = record.decisions
    assert decision.verdict is Verdict.ABORT
    assert decision.reasons == ["analysis failed: analysis of acme-api-canary: Prometheus: http://prometheus: "
                                "connection refused"]


def test_a_canary_of_a_release_that_is_not_deployed_is_refused(fake_cluster, monkeypatch) -> None:
    fake = FakeCanary(monkeypatch, GOOD, fake_cluster)
    record = _run(CanaryPlan([100], 10.0, release="acme-web", prometheus_url="http://prometheus"))
    assert record.exit is Exit.PREFLIGHT_FAILED and fake.applied == []
    assert record.steps[-1].detail == ("release acme-web is not deployed in namespace acme: release it first, "
                                       "then its canary")


def test_the_report_carries_every_decision(fake_cluster, monkeypatch) -> None:
    FakeCanary(monkeypatch, BAD, fake_cluster)
    record = _run(_plan())
    text = report.markdown(record)
    assert "**Result: exit 7 — the canary failed its analysis: weight back to 0, canary removed, the stable " \
           "track passes smoke**" in text
    assert ("| 10% | abort | step 10%: abort: canary 30 requests, 20.00% errors, p99 9.9 ms; stable 270 requests, "
            "0.00% errors, p99 9.9 ms; error rate 20.00% above the absolute 1.00%; error rate 20.00% above the "
            "stable's 0.00% + 1.00% |") in text
    suites = ET.fromstring(report.junit(record))
    analysis = suites.find("testsuite[@name='analysis/staging']")
    assert (analysis.get("tests"), analysis.get("failures")) == ("1", "1")
    (case,) = analysis.findall("testcase")
    assert case.get("name") == "step 10%"
    assert case.find("failure").get("message") == ("error rate 20.00% above the absolute 1.00%; error rate 20.00% "
                                                   "above the stable's 0.00% + 1.00%")


@pytest.mark.parametrize(("weight", "strategy", "promoted", "expected"), [
    (10, "canary", False, _rollout("canary", 10)),
    (0, "rolling", True, _rollout("rolling", 0)),  # no canary image: the stable's image is left alone
])
def test_values_are_complete_for_every_step(weight: int, strategy: str, promoted: bool, expected: dict) -> None:
    assert canary.values(_plan(), weight, strategy, promoted) == expected
