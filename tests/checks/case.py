"""A check case: a scenario (or snapshot) built for one check and the exact findings it must yield.

`expected` lists every finding as (object, field, message): object, field and message must match
exactly; a `part("...")` message only has to occur in it (text a library writes, like an SSL error).
An empty `expected` is a sound case: the check must run (not skip) and find nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from harness.checks.registry import Finding

Expect = tuple[str, str, str]  # (object, field, message)


class part(str):
    """A message fragment: the finding's message must contain it (the rest is not ours to fix)."""


def _says(message: str, expected: str) -> bool:
    return message == expected or (isinstance(expected, part) and expected in message)


@dataclass(frozen=True)
class Case:
    check_id: str
    name: str
    build: Callable[..., Any]
    expected: tuple[Expect, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.check_id}:{self.name}"

    @property
    def sound(self) -> bool:
        return not self.expected


def broken(check_id: str, name: str, build: Callable[..., Any], *expected: Expect) -> Case:
    assert expected, f"{check_id}:{name}: a broken case names the findings it expects"
    return Case(check_id, name, build, tuple(expected))


def sound(check_id: str, name: str, build: Callable[..., Any]) -> Case:
    return Case(check_id, name, build)


def mismatch(case: Case, findings: list[Finding]) -> str:
    """'' when the findings are exactly the expected ones, else what differs (for the assertion message)."""
    unmatched = list(findings)
    missing = []
    for obj, field, phrase in case.expected:
        hit = next((f for f in unmatched if str(f.object) == obj and f.field == field and _says(f.message, phrase)), None)
        if hit is None:
            missing.append((obj, field, phrase))
        else:
            unmatched.remove(hit)
    wrong_check = [f for f in findings if f.check_id != case.check_id]
    if not missing and not unmatched and not wrong_check:
        return ""
    lines = [f"expected, not found: {m}" for m in missing]
    lines += [f"found, not expected: ({str(f.object)!r}, {f.field!r}, {f.message!r})" for f in unmatched]
    lines += [f"finding of another check: {f.check_id}" for f in wrong_check]
    return "\n".join(lines)
