"""Zero downtime under real traffic: a steady stream through the edge to both public hosts
while acme-api and acme-ui roll every pod and while one pod is evicted as a drain would; not one
request may fail. The control, a pod whose processes are all killed at once while it serves, shows
the stream does notice when serving pods die."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.deploy import drills
from harness.deploy.node.settings import NodeSettings
from harness.deploy.traffic import UrlSummary

from streams import assert_nothing_failed

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
UI, API = drills.URLS
RATE = 20  # requests per second, spread over both URLs


def _stream(workloads: NodeSettings, tmp_path: Path, action, api, workload: str) -> tuple[list[UrlSummary], float]:
    return drills.under_traffic(api, workloads, NAMESPACE, workload, action, RATE, tmp_path)


@pytest.mark.parametrize("workload", ["acme-ui", "acme-api"])
def test_a_rolling_update_loses_no_request(api, workloads: NodeSettings, tmp_path: Path, workload: str) -> None:
    summaries, seconds = _stream(workloads, tmp_path, drills.restart, api, workload)
    assert_nothing_failed(summaries, RATE, seconds)


def test_an_eviction_loses_no_request(api, workloads: NodeSettings, tmp_path: Path) -> None:
    summaries, seconds = _stream(workloads, tmp_path, drills.evict_one, api, "acme-ui")
    assert_nothing_failed(summaries, RATE, seconds)


def test_the_stream_notices_a_pod_that_crashes_while_it_serves(api, workloads: NodeSettings,
                                                                      tmp_path: Path) -> None:
    summaries, _ = _stream(workloads, tmp_path, drills.crash_one, api, "acme-ui")
    by_url = {s.url: s for s in summaries}
    assert by_url[UI].failed > 0, by_url[UI].line()
    assert by_url[API].failed == 0, by_url[API].line()
