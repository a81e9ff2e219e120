"""Fixtures of the smoke unit tests: a CA, default settings and a healthy environment."""

from __future__ import annotations

import pytest
import trustme

from harness.live.settings import SmokeSettings
from harness.live.snapshot import Snapshot
from prometheus_site import prometheus_site  # noqa: F401 (fixture: a stand-in Prometheus)
from smoke_objects import healthy_snapshot


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def settings() -> SmokeSettings:
    return SmokeSettings()


@pytest.fixture
def healthy(ca: trustme.CA) -> Snapshot:
    """An environment on which every API-level smoke check passes; tests break one thing each."""
    return healthy_snapshot(ca)
