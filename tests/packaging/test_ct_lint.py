"""chart-testing's `ct lint` as users run it in their own CI, on the library chart (which renders nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pinned_tools import TOOLS_BIN, pinned_tool

from harness.tools.gomod import module_dir

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def ct_config_dir() -> Path:
    """ct's own chart_schema.yaml and lintconf.yaml, from the module the pinned ct was built from."""
    return module_dir(REPO_ROOT / "tools" / "chart-testing", "github.com/helm/chart-testing/v3") / "etc"


def test_ct_lint_passes_on_the_library_chart():
    """A library chart renders nothing, but ct still lints its values.yaml with yamllint."""
    etc = ct_config_dir()
    # yamllint and yamale come from the project's venv, helm from .tools/bin.
    path = os.pathsep.join([str(Path(sys.executable).parent), str(TOOLS_BIN), os.environ["PATH"]])
    proc = subprocess.run(
        [str(pinned_tool("ct")), "lint", "--charts", "charts/acme-lib", "--validate-maintainers=false",
         "--check-version-increment=false", "--chart-yaml-schema", str(etc / "chart_schema.yaml"),
         "--lint-conf", str(etc / "lintconf.yaml")],
        cwd=REPO_ROOT, env={**os.environ, "PATH": path}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
