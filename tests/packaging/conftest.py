"""A loopback OCI registry (distribution v3, built by `tools/build-tools.sh registry`)."""

from __future__ import annotations

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
