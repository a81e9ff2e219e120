"""Fixtures of the fault tests: the e2e suite's (cluster, api, helm, deployed), plus handles on
single control-plane processes. Every fault test leaves the cluster as `deployed` found it."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from control_plane import ControlPlane


def _e2e_fixtures():
    """tests/e2e/conftest.py, loaded under its own name: its fixtures are shared, not copied."""
    path = Path(__file__).resolve().parents[1] / "e2e" / "conftest.py"
    spec = importlib.util.spec_from_file_location("acme_e2e_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


_e2e = _e2e_fixtures()
cluster, api, helm, deployed, api_chart = _e2e.cluster, _e2e.api, _e2e.helm, _e2e.deployed, _e2e.api_chart
NAMESPACE = _e2e.NAMESPACE


@pytest.fixture
def control_plane(cluster) -> ControlPlane:
    return ControlPlane(cluster)


@pytest.fixture
def harness_env(cluster) -> dict[str, str]:
    """Environment for a harness subprocess aimed at the same cluster as this session."""
    root = str(cluster.project.root)
    return {**cluster.env(), "ACME_ROOT": root, "ACME_CLUSTER_NAME": cluster.name,
            "ACME_CLUSTER_PORT": str(cluster.port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                        os.environ.get("PYTHONPATH")]))}
