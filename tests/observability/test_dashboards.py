"""The Grafana dashboards the chart ships: valid JSON, the panels the issue asks for, PromQL that parses."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from rendered import REPO_ROOT
from pinned_tools import pinned_tool

DASHBOARDS = sorted((REPO_ROOT / "charts" / "acme-platform" / "charts" / "observability" / "dashboards").glob("*.json"))
# Grafana fills these in before the query reaches Prometheus; promtool needs real values.
VARIABLES = {"$__rate_interval": "5m", "$namespace": "acme"}


def queries(dashboard: dict) -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]


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


def test_every_query_is_valid_promql(dashboard, tmp_path):
    promtool = pinned_tool("promtool")
    # promtool parses PromQL only inside rule files: each query becomes a recording rule.
    rules = []
    for index, (title, expr) in enumerate(queries(dashboard)):
        for variable, value in VARIABLES.items():
            expr = expr.replace(variable, value)
        assert not re.search(r"\$\w+", expr), f"{title}: unknown dashboard variable in {expr}"
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    path = tmp_path / "queries.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": dashboard["uid"], "rules": rules}]}))
    proc = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
