"""kubectl, for what the Python client does not do: server-side apply of many files, waiting on conditions."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .process import run


def _kubectl(kubectl: Path, args: Sequence[str], env: Mapping[str, str], timeout: float) -> None:
    what = f"kubectl {' '.join(args[:2])}"
    run([kubectl, *args], env=env, timeout=timeout, what=what).require(what, lines=1)


def apply_server_side(kubectl: Path, files: Sequence[Path], field_manager: str, env: Mapping[str, str]) -> None:
    args = ["apply", "--server-side", "--force-conflicts", "--field-manager", field_manager]
    for path in files:
        args += ["-f", str(path)]
    _kubectl(kubectl, args, env, timeout=180)


def wait_for(kubectl: Path, condition: str, resource: str, env: Mapping[str, str], timeout_s: int = 60) -> None:
    """`kubectl wait --for condition=C RESOURCE --all`."""
    _kubectl(kubectl, ["wait", "--for", f"condition={condition}", resource, "--all", "--timeout", f"{timeout_s}s"],
             env, timeout=180)
