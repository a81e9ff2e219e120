"""The e2e suite's fixtures (tests/e2e/conftest.py) for other directories' cluster tests:
`from e2e_fixtures import cluster, api, ...` in a conftest shares them instead of copying."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parent / "e2e" / "conftest.py"
_SPEC = importlib.util.spec_from_file_location("acme_e2e_fixtures", _PATH)
_module = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = _module  # dataclasses look their module up while a class is built
_SPEC.loader.exec_module(_module)

cluster, api, helm, deployed, api_chart = _module.cluster, _module.api, _module.helm, _module.deployed, _module.api_chart
