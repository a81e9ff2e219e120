"""The real Pushgateway on loopback, started with the chart's rendered arguments.

The binary comes from tests/collector/install-deps.sh. Without it the tests skip with that hint,
unless ACME_REQUIRE_COLLECTOR_DEPS=1 (what `make pytest` sets), which turns the skip into a failure.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

HERE = Path(__file__).resolve().parent
# This directory's helpers, and the harness render helpers shared with tests/observability.
sys.path[:0] = [str(HERE), str(HERE.parent / "observability")]

from pushgateway import BINARY, VERSION, Pushgateway, missing  # noqa: E402


@pytest.fixture(scope="session")
def pushgateway_binary() -> Path:
    if not BINARY.exists():
        missing(f"no Pushgateway at {BINARY}")
    done = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
    upstream = VERSION.split("-")[0]
    assert f"version {upstream} " in done.stdout + done.stderr, f"{BINARY} is not the pinned {upstream}"
    return BINARY


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def collector_factory(pushgateway_binary, tmp_path) -> Iterator[Callable[[list[str], int], Pushgateway]]:
    """Builds collectors on free loopback ports; every process still running is killed afterwards."""
    started: list[Pushgateway] = []

    def make(command: list[str], port: int) -> Pushgateway:
        gateway = Pushgateway(command, port, tmp_path / f"pushgateway-{port}.log")
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        gateway.kill()


@pytest.fixture
def free_port() -> Callable[[], int]:
    return _free_port
