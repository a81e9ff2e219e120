"""The collector chart refuses a second replica even when the schema is skipped, with the reason."""

from __future__ import annotations

import subprocess

from pinned_tools import pinned_tool
from pushgateway import REPO_ROOT


def test_second_replica_is_refused_with_the_reason_when_schema_validation_is_skipped():
    done = subprocess.run([str(pinned_tool("helm")), "template", "acme-platform", str(REPO_ROOT / "charts" / "acme-platform"),
                           "--namespace", "acme", "--skip-schema-validation", "--set", "metrics-collector.replicas=3"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "metrics-collector.replicas: 3, but the collector runs exactly 1" in done.stderr
    assert "stale copy" in done.stderr
