"""The pinned scrape-oracle (tools/scrape-oracle): prometheus-operator's own generator's scrape jobs
for a set of monitors, the other side of the harness generator's differential tests."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import HarnessError
from .process import run

TIMEOUT = 60  # seconds; one answer for a handful of monitors takes well under one


def operator_jobs(binary: Path, prometheus_version: str, service_monitors: list[dict],
                  pod_monitors: list[dict]) -> list[dict]:
    """The operator's scrape_configs for these monitors (objects as the API server stores them)."""
    document = {"prometheusVersion": prometheus_version, "serviceMonitors": service_monitors, "podMonitors": pod_monitors}
    done = run([binary], what="scrape-oracle", timeout=TIMEOUT, stdin=json.dumps(document))
    try:
        answer = json.loads(done.stdout or "null")
    except json.JSONDecodeError:
        raise HarnessError(f"scrape-oracle answered something that is not JSON: {done.stdout.strip()[:200]}") from None
    if not isinstance(answer, dict):
        raise HarnessError(f"scrape-oracle: no answer (exit {done.returncode}): {done.tail()}")
    if "error" in answer:
        raise HarnessError(f"scrape-oracle refused the monitors: {answer['error']}")
    return answer.get("scrape_configs") or []
