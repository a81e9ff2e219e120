"""A new cluster starts with empty volumes: what the last cluster's pods wrote under the static PVs'
directories (kept in the node's /var/lib overlay between clusters) is discarded, and only then."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node import join
from harness.deploy.node.settings import NodeSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def node(tmp_path: Path) -> NodeSettings:
    (tmp_path / "cluster").mkdir()
    shutil.copy(REPO / "cluster" / "storage.yaml", tmp_path / "cluster" / "storage.yaml")
    return NodeSettings(ClusterSettings(Project(tmp_path)))


def _volume(node: NodeSettings, index: int) -> Path:
    return node.overlay_dirs("/var/lib")[0] / "kwok-volumes" / str(index)


def test_the_last_clusters_data_is_discarded_and_nothing_else(node: NodeSettings) -> None:
    (_volume(node, 1) / "pgdata").mkdir(parents=True)
    (_volume(node, 1) / "pgdata" / "PG_VERSION").write_text("15\n")
    (_volume(node, 3)).mkdir(parents=True)
    (_volume(node, 3) / "pushgateway.state").write_text("x")
    _volume(node, 4).mkdir(parents=True)  # empty: nothing to discard
    kubelet = node.overlay_dirs("/var/lib")[0] / "kubelet" / "cpu_manager_state"
    kubelet.parent.mkdir(parents=True)
    kubelet.write_text("{}")

    assert join.discard_volumes(node) == ["/var/lib/kwok-volumes/1", "/var/lib/kwok-volumes/3"]
    assert not _volume(node, 1).exists() and not _volume(node, 3).exists()
    assert _volume(node, 4).is_dir() and kubelet.read_text() == "{}"
    assert join.discard_volumes(node) == []


def test_the_volumes_of_a_running_node_are_never_touched(node: NodeSettings) -> None:
    (_volume(node, 1) / "pgdata").mkdir(parents=True)
    node.state_dir.mkdir(parents=True, exist_ok=True)
    # this process stands in for the holder: its pid and its network namespace's inode
    node.holder_file.write_text(f"{os.getpid()} {os.stat('/proc/self/ns/net').st_ino}\n")
    with pytest.raises(HarnessError, match="^node: its volumes cannot be discarded while it runs$"):
        join.discard_volumes(node)
    assert (_volume(node, 1) / "pgdata").is_dir()
