"""Cluster lifecycle: clear errors without a cluster (unit), idempotent `up` with one (e2e)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from harness.deploy.cluster import kwokctl, lifecycle
from harness.deploy.cluster.settings import BINARY_FLAGS, ETCD_TOOL_OPTIONS, ClusterSettings
from harness.core.errors import HarnessError
from harness.core.project import Project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_project(tmp_path: Path) -> Project:
    """A project sharing this checkout's tools and cluster config, but with no cluster of its own."""
    for name in (".tools", "cluster", "tools", "charts"):
        (tmp_path / name).symlink_to(ROOT / name)
    return Project(tmp_path)


def test_busy_port_is_one_clear_error(scratch_project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(HarnessError, match=f"port 127.0.0.1:{port} is busy"):
            lifecycle.up(ClusterSettings(scratch_project, port=port))


def test_missing_binary_names_it_and_the_fix(tmp_path):
    (tmp_path / ".tools" / "bin").mkdir(parents=True)
    with pytest.raises(HarnessError, match=r"binary kube-apiserver missing .* run `make tools`"):
        lifecycle.up(ClusterSettings(Project(tmp_path)))


def test_create_passes_every_local_binary_so_nothing_is_downloaded(scratch_project):
    args = kwokctl.create_args(ClusterSettings(scratch_project))
    for flag in BINARY_FLAGS.values():
        assert Path(args[args.index(flag) + 1]).is_file()
    assert args[args.index("--kubeconfig") + 1].endswith(".cache/cluster/kubeconfig")
    # kwokctl's snapshot save/restore run etcdctl and etcdutl: the first --config names the pinned ones.
    config = yaml.safe_load(Path(args[args.index("--config") + 1]).read_text())
    for name, option in ETCD_TOOL_OPTIONS.items():
        assert config["options"][option] == str(scratch_project.root / ".tools" / "bin" / name)
    assert config["options"]["runtime"] == "binary"  # the rest of cluster/kwokctl.yaml is carried over


def test_bad_port_setting_is_rejected(monkeypatch):
    monkeypatch.setenv("ACME_CLUSTER_PORT", "http")
    with pytest.raises(HarnessError, match="ACME_CLUSTER_PORT"):
        ClusterSettings.from_env(Project(ROOT))


@pytest.mark.e2e
def test_up_is_idempotent_when_running(cluster):
    started = time.monotonic()
    state = lifecycle.up(cluster)
    assert state.running and state.ready_nodes == 6
    assert time.monotonic() - started < 15, "a second `up` must not recreate anything"
    assert cluster.kubeconfig.stat().st_mode & 0o777 == 0o600
