"""Where each local cluster keeps its state: the default one at the paths the docs name, a second
one from the same checkout (`make e2e` runs the real node's suites on it) in directories of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node.settings import NodeSettings


def _settings(monkeypatch, tmp_path: Path, name: str | None) -> ClusterSettings:
    monkeypatch.setenv("ACME_CLUSTER_PORT", "16543")
    if name is None:
        monkeypatch.delenv("ACME_CLUSTER_NAME", raising=False)
    else:
        monkeypatch.setenv("ACME_CLUSTER_NAME", name)
    return ClusterSettings.from_env(Project(tmp_path))


def test_the_default_cluster_keeps_the_documented_paths(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, tmp_path, None)
    cache = tmp_path / ".cache"
    assert (settings.name, settings.context) == ("acme", "kwok-acme")
    assert settings.kubeconfig == cache / "cluster" / "kubeconfig"
    assert settings.workdir == cache / "kwok"
    assert settings.tls_ca_dir == cache / "cluster" / "ca"
    assert NodeSettings(settings).state_dir == cache / "node"


def test_a_second_cluster_shares_no_state_directory_with_the_default(monkeypatch, tmp_path):
    default = _settings(monkeypatch, tmp_path, None)
    second = _settings(monkeypatch, tmp_path, "acme-node")
    cache = tmp_path / ".cache"
    assert second.context == "kwok-acme-node"
    assert second.kubeconfig == cache / "cluster-acme-node" / "kubeconfig"
    assert second.workdir == cache / "kwok-acme-node"
    assert NodeSettings(second).state_dir == cache / "node-acme-node"
    ours = {second.kubeconfig.parent, second.workdir, second.tls_ca_dir, second.generated_config,
            NodeSettings(second).state_dir}
    theirs = {default.kubeconfig.parent, default.workdir, default.tls_ca_dir, default.generated_config,
              NodeSettings(default).state_dir}
    assert not {a for a in ours for b in theirs if a == b or b in a.parents or a in b.parents}


@pytest.mark.parametrize("name", ["", "Acme", "acme_node", "-acme", "acme-", "../acme", "a" * 33])
def test_a_name_that_cannot_name_a_directory_and_a_context_is_refused(monkeypatch, tmp_path, name):
    with pytest.raises(HarnessError) as err:
        _settings(monkeypatch, tmp_path, name)
    assert str(err.value) == ("ACME_CLUSTER_NAME must be a lowercase name of letters, digits and dashes "
                              f"(at most 32), got {name!r}")
