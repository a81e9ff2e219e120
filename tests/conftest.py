"""Shared fixtures: the repository root and a scratch copy of the project for mutation tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from cluster_fixtures import api, api_chart, cluster, deployed, helm  # noqa: F401 (fixtures for cluster tests)

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a project copy needs to render and check like the real one.
PROJECT_PARTS = ("charts", "values", "matrices", "policy", "helmfile.yaml.gotmpl", "tools/kubernetes/tool.env",
                 # the pins of the offline schemas (Kubernetes' OpenAPI documents, the CRDs)
                 "tools/kubernetes/go.mod", "tools/kubernetes/go.sum", "tools/crds")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_render_cache(tmp_path_factory) -> Path:
    """One render cache for every project copy: unmodified charts hash the same and are rendered once."""
    return tmp_path_factory.mktemp("render-cache")


@pytest.fixture
def project_copy(tmp_path, shared_render_cache, monkeypatch) -> Iterator[Path]:
    """A copy of the project's charts, values, matrices and policy, with the real tools linked in."""
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        target = root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".cache"))
        elif source.exists():
            shutil.copy2(source, target)
    (root / ".tools").symlink_to(REPO_ROOT / ".tools")
    (root / ".cache").mkdir()
    (root / ".cache" / "render").symlink_to(shared_render_cache)
    monkeypatch.setenv("ACME_ROOT", str(root))
    yield root
    shutil.rmtree(root, ignore_errors=True)
