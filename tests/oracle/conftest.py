"""The running netpol-oracle, and the count of connections compared (printed after the run and
written to build/reports/netpol-oracle.json, the figure the evaluator's differential tests claim)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from harness.tools.netpol_oracle import NetpolOracle
from pinned_tools import pinned_tool

REPORT = Path(__file__).resolve().parents[2] / "build" / "reports" / "netpol-oracle.json"
_TALLY = pytest.StashKey[Counter]()


@pytest.fixture(scope="session")
def oracle() -> Iterator[NetpolOracle]:
    with NetpolOracle(pinned_tool("netpol-oracle")) as running:
        yield running


@pytest.fixture(scope="session")
def compared(request) -> Counter:
    """Connections compared, per source of cases ("environment local", "generated")."""
    return request.config.stash.setdefault(_TALLY, Counter())


def pytest_terminal_summary(terminalreporter, config) -> None:
    tally = config.stash.get(_TALLY, None)
    if not tally:
        return
    parts = ", ".join(f"{name}: {count}" for name, count in sorted(tally.items()))
    terminalreporter.write_line(f"netpol-oracle: {sum(tally.values())} connections compared ({parts})")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"compared": dict(sorted(tally.items())), "total": sum(tally.values())}, indent=2) + "\n")
