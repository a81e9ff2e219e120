"""`unshare` and `nsenter`: the real node's network, mount and UTS namespaces, held open by one
idle process, and commands run inside them."""

from __future__ import annotations

from pathlib import Path

from .process import run, spawn

NAMESPACES = ("--net", "--mount", "--uts")


def hold_namespaces() -> int:
    """Start the idle holder of fresh namespaces and return its pid. No --fork: unshare execs the
    sleeper itself, so its pid is the namespaces' holder; detached, it outlives this command."""
    return spawn(["unshare", *NAMESPACES, "--propagation", "private", "sleep", "infinity"],
                 what="unshare (the node's namespaces)")


def inside(pid: int, *argv: str | Path) -> list[str]:
    """argv run inside the namespaces `pid` holds."""
    return ["nsenter", "-t", str(pid), "-n", "-m", "-u", "--", *(str(a) for a in argv)]


def run_inside(pid: int, *argv: str | Path, what: str, timeout: float = 30) -> str:
    """Run argv inside, which must succeed: its stdout, or a ToolError naming `what`."""
    return run(inside(pid, *argv), what=what, timeout=timeout).require(what, lines=1).stdout
