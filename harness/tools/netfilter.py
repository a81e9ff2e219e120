"""Dumps of the firewall rules (`iptables-save`, `ip6tables-save`, `nft list ruleset`), for
comparing a network namespace's state before and after."""

from __future__ import annotations

import re
import shutil

from .process import run


def dump(argv: list[str]) -> list[str]:
    """The rule lines without comments and packet counters; a missing or failing tool is recorded
    as such (a line that differs from any rule), never raised: the comparison shows it."""
    if shutil.which(argv[0]) is None:
        return [f"{argv[0]}: not installed"]
    done = run(argv, what=" ".join(argv), timeout=60)
    if not done.ok:
        return [f"{argv[0]}: exit {done.returncode}: {done.tail(1)}"]
    return [re.sub(r"\[\d+:\d+\]", "[]", line) for line in done.stdout.splitlines()
            if line.strip() and not line.startswith("#")]
