"""The project's pinned tools, for tests. `make test` builds them first (`make tools`), so a
missing one is a failure that names the fix, never a silent skip."""

from __future__ import annotations

from pathlib import Path

import pytest

TOOLS_BIN = Path(__file__).resolve().parents[1] / ".tools" / "bin"


def pinned_tool(name: str) -> Path:
    path = TOOLS_BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from .tools/bin: run `make tools` (tools/build-tools.sh builds it)")
    return path
