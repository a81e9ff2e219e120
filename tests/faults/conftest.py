"""Fixtures of the fault tests: handles on single control-plane processes (the cluster fixtures
come from tests/cluster_fixtures.py through tests/conftest.py). Every fault test leaves the cluster as `deployed` found it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from control_plane import ControlPlane


@pytest.fixture
def control_plane(cluster) -> ControlPlane:
    """The cluster's processes, every one running before the fault is injected."""
    plane = ControlPlane(cluster)
    plane.revive()
    return plane


@pytest.fixture
def harness_env(cluster) -> dict[str, str]:
    """Environment for a harness subprocess aimed at the same cluster as this session."""
    root = str(cluster.project.root)
    return {**cluster.env(), "ACME_ROOT": root, "ACME_CLUSTER_NAME": cluster.name,
            "ACME_CLUSTER_PORT": str(cluster.port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                        os.environ.get("PYTHONPATH")]))}
