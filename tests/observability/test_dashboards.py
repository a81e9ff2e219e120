"""The Grafana dashboards the chart ships: valid JSON and the panels the service needs. That every query
parses and names exported metrics is the render checks promql.parses and promql.exported-metrics."""

from __future__ import annotations

import json

import pytest

from rendered import REPO_ROOT

DASHBOARDS = sorted((REPO_ROOT / "charts" / "acme-platform" / "charts" / "observability" / "dashboards").glob("*.json"))


@pytest.fixture(scope="module", params=DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def dashboard(request) -> dict:
    return json.loads(request.param.read_text())


def test_dashboard_covers_the_service_signals(dashboard):
    titles = {panel["title"] for panel in dashboard["panels"]}
    assert {"Request rate", "5xx error ratio", "Latency", "CPU saturation", "Memory saturation",
            "Replicas vs HPA bounds"} <= titles


def test_every_panel_queries_prometheus_through_the_datasource_variable(dashboard):
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel.get("targets"), f"panel {panel['title']} has no query"
