"""kwokctl, which creates, starts and deletes the local cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .process import ToolError, run


def kwokctl(binary: Path, args: Sequence[str], name: str, env: Mapping[str, str], timeout: float) -> str:
    """`kwokctl ARGS --name NAME`: its stdout, or one ToolError naming the command."""
    what = f"kwokctl {' '.join(args)}"
    try:
        return run([binary, *args, "--name", name], env=env, timeout=timeout, what=what).require(what).stdout
    except ToolError as err:
        raise ToolError(f"cluster: {err}") from None
