"""The check cases use the factories of the unit tests and the fake API objects of the smoke tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import trustme

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "unit"), str(TESTS / "smoke")]

from http_site import site  # noqa: E402,F401 (fixture: the loopback site the http.* checks probe)
from prometheus_site import prometheus_site  # noqa: E402,F401 (fixture: what the observability.* checks ask)
from logs_site import log_store  # noqa: E402,F401 (fixture: the log store logs-shipped asks)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()
