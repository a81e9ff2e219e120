"""A loopback OCI registry (distribution v3, built by `tools/build-tools.sh registry`)."""

from __future__ import annotations

from typing import Iterator

import pytest
from oci_registry import running_registry
from pinned_tools import pinned_tool


@pytest.fixture(scope="module")
def oci_registry(tmp_path_factory) -> Iterator[str]:
    with running_registry(pinned_tool("registry"), tmp_path_factory.mktemp("registry")) as address:
        yield address
