"""iproute2's `ip`: links, addresses, routes and rules, read as JSON or changed one call at a time."""

from __future__ import annotations

import json

from .process import ToolError, run


def read(*args: str) -> list[dict]:
    """`ip -j ARGS` parsed (an empty answer is an empty list)."""
    what = f"ip -j {' '.join(args)}"
    done = run(["ip", "-j", *args], what=what, timeout=30).require(what, lines=1)
    try:
        return json.loads(done.stdout or "[]")
    except ValueError:
        raise ToolError(f"`{what}` answered no JSON: {done.stdout[:80]!r}") from None


def change(*args: str, what: str) -> None:
    """`ip ARGS`, which must succeed; `what` says what the harness was doing."""
    run(["ip", *args], what=what, timeout=30).require(what, lines=1)


def link_exists(name: str) -> bool:
    return run(["ip", "link", "show", name], what=f"ip link show {name}", timeout=30).ok
