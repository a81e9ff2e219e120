"""A canary release under steady traffic through the edge: a good canary goes 10 -> 50 -> 100 %
and is promoted without one failed request; a canary answering 20 % of its requests with 500 is
aborted at the first step, and the failures the clients saw stay within weight x error rate x
the requests sent while the canary held that weight. The stable track answers every request."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy import drills
from harness.deploy.node.settings import NodeSettings
from harness.deploy.release import report
from harness.deploy.release.analysis import Verdict
from harness.deploy.release.canary import CanaryPlan
from harness.deploy.release.flow import ReleaseOptions, release
from harness.deploy.release.outcome import Exit, ReleaseRecord
from harness.deploy.traffic import UrlSummary

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
API = "https://api.acme.com/v1/items"
RATE = 50  # requests per second: 5 s at 10 % give the canary 25 requests, above the 20 needed to judge
INTERVAL = 5.0  # one scrape interval of the local Prometheus (values/acme-platform/local.yaml)
ERROR_RATE = 0.2


def _release(workloads: NodeSettings, tmp_path: Path, plan: CanaryPlan) -> tuple[ReleaseRecord, UrlSummary]:
    with drills.stream(workloads, RATE, tmp_path, urls=(API,)) as traffic:
        time.sleep(1)  # the stream runs before the first step
        record = release(Project.discover(), ReleaseOptions(env="local", preflight=False, canary=plan))
        time.sleep(1)
    (summary,) = traffic.summary()
    print(f"\n{summary.line()}\n" + "\n".join(f"{s.name}: {s.seconds:.1f} s: {s.detail}" for s in record.steps))
    return record, summary


def _canary_gone(api: client.ApiClient, timeout: float = 120) -> bool:
    """The canary's Deployment is gone at once; its pods drain (preStop, grace period) before the next
    test counts the API's pods and targets."""
    names = [d.metadata.name for d in client.AppsV1Api(api).list_namespaced_deployment(NAMESPACE).items]
    deadline = time.monotonic() + timeout
    while any(p.metadata.name.startswith("acme-api-canary-")
              for p in client.CoreV1Api(api).list_namespaced_pod(NAMESPACE).items):
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return "acme-api" in names and "acme-api-canary" not in names


def _seconds_at_weight(record: ReleaseRecord, first: str, last: str) -> float:
    """From the start of step `first` to the end of step `last`: the time the canary held the weight."""
    names = [s.name for s in record.steps]
    return sum(s.seconds for s in record.steps[names.index(first):names.index(last) + 1])


def test_a_good_canary_is_promoted_without_a_failed_request(api, workloads: NodeSettings, tmp_path: Path) -> None:
    record, summary = _release(workloads, tmp_path, CanaryPlan([10, 50, 100], INTERVAL))
    assert record.exit is Exit.RELEASED, report.markdown(record)
    assert summary.failed == 0, summary.line()
    assert [(d.weight, d.verdict) for d in record.decisions] == [(w, Verdict.PROCEED) for w in (10, 50, 100)]
    for d in record.decisions:  # the edge splits by the weight: the counters of both tracks say so
        share = d.canary.requests / (d.canary.requests + d.stable.requests)
        assert abs(share - d.weight / 100) <= 0.03, d.line()
    assert _canary_gone(api)


def test_a_bad_canary_is_aborted_at_the_first_step_within_its_failure_bound(api, workloads: NodeSettings,
                                                                           tmp_path: Path) -> None:
    plan = CanaryPlan([10, 50, 100], INTERVAL, track_values={"faults": {"errorRate": ERROR_RATE}})
    record, summary = _release(workloads, tmp_path, plan)
    assert record.exit is Exit.CANARY_ABORTED, report.markdown(record)
    (decision,) = record.decisions
    assert decision.weight == 10 and decision.verdict is Verdict.ABORT, decision.line()
    assert decision.canary.errors == pytest.approx(ERROR_RATE * decision.canary.requests, abs=1), decision.line()
    assert decision.stable.errors == 0, decision.line()
    held = _seconds_at_weight(record, "canary 10%: apply", "abort: weight 0")
    bound = math.ceil(0.10 * ERROR_RATE * RATE * held) + 1
    assert set(summary.failures) <= {"500"} and summary.failed <= bound, f"{summary.line()}; bound {bound} in {held:.1f} s"
    assert _canary_gone(api)
