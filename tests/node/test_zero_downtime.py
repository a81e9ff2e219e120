"""Zero downtime under real traffic: a steady stream through the edge to both public hosts
while acme-api and acme-ui roll every pod and while one pod is evicted as a drain would; not one
request may fail. The control, a pod whose processes are all killed at once while it serves, shows
the stream does notice when serving pods die."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.core.project import Project
from harness.deploy import drills
from harness.deploy.node.settings import NodeSettings
from harness.deploy.traffic import Traffic, UrlSummary

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
UI, API = "https://www.acme.com/", "https://api.acme.com/v1/items"
RATE = 20  # requests per second, spread over both URLs
# after the rollout settles, so that requests to pods still shutting down are part of the run
SETTLE = 3.0


def _stream(workloads: NodeSettings, tmp_path: Path, action, api, workload: str) -> tuple[list[UrlSummary], float]:
    started = time.monotonic()
    with Traffic(Project.discover(), [UI, API], RATE, tmp_path, edge_address=workloads.node_ip,
                 ca_file=workloads.cluster.tls_ca_dir / "ca.crt") as traffic:
        time.sleep(1)  # the stream runs before the disruption begins
        action(api, NAMESPACE, workload)
        time.sleep(1)
        drills.wait_settled(api, NAMESPACE, workload)
        time.sleep(SETTLE)
    return traffic.summary(), time.monotonic() - started


def _assert_nothing_failed(summaries: list[UrlSummary], seconds: float) -> None:
    lines = "\n".join(s.line() for s in summaries)
    assert [s.url for s in summaries] == [API, UI], lines
    assert all(s.failed == 0 for s in summaries), lines
    # vegeta kept its rate: a stalled stream would hide failures as requests never sent
    assert sum(s.requests for s in summaries) >= 0.8 * RATE * seconds, lines


@pytest.mark.parametrize("workload", ["acme-ui", "acme-api"])
def test_a_rolling_update_loses_no_request(api, workloads: NodeSettings, tmp_path: Path, workload: str) -> None:
    summaries, seconds = _stream(workloads, tmp_path, drills.restart, api, workload)
    _assert_nothing_failed(summaries, seconds)


def test_an_eviction_loses_no_request(api, workloads: NodeSettings, tmp_path: Path) -> None:
    summaries, seconds = _stream(workloads, tmp_path, drills.evict_one, api, "acme-ui")
    _assert_nothing_failed(summaries, seconds)


def test_the_stream_notices_a_pod_that_crashes_while_it_serves(api, workloads: NodeSettings,
                                                                      tmp_path: Path) -> None:
    summaries, _ = _stream(workloads, tmp_path, drills.crash_one, api, "acme-ui")
    by_url = {s.url: s for s in summaries}
    assert by_url[UI].failed > 0, by_url[UI].line()
    assert by_url[API].failed == 0, by_url[API].line()
