"""A loopback OCI registry (distribution v3, built by `tools/build-tools.sh registry`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Iterator

import pytest
from oci_registry import running_registry

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def oci_registry(tmp_path_factory) -> Iterator[str]:
    binary = REPO_ROOT / ".tools" / "bin" / "registry"
    if not binary.exists():
        pytest.skip("no .tools/bin/registry: build it with `tools/build-tools.sh registry` (make tools)")
    with running_registry(binary, tmp_path_factory.mktemp("registry")) as address:
        yield address


def _e2e_fixtures():
    """tests/e2e/conftest.py, loaded by path (once per session): its cluster fixtures, which skip
    with a clear message when no cluster runs, are reused rather than copied."""
    if "e2e_conftest" in sys.modules:
        return sys.modules["e2e_conftest"]
    spec = importlib.util.spec_from_file_location("e2e_conftest", REPO_ROOT / "tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


cluster = _e2e_fixtures().cluster
