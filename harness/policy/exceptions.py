"""Accepted findings of an outside tool (checkov, kube-score, …): one file, a reason per entry.

An entry names the tool's check, the resources it covers (globs over `Kind/name`) and why the
finding is accepted. An entry that matches nothing on a full run is stale and fails the run,
so the list cannot rot.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterable

from ..core.errors import HarnessError
from ..core.yamlio import load_yaml_file

KEYS = frozenset({"check", "resources", "reason"})


@dataclass(frozen=True)
class Accepted:
    check: str
    resources: tuple[str, ...]  # globs over "Kind/name"
    reason: str
    tool: str = ""  # which tool's check, where one file serves several tools
    message: str = "*"  # glob over the finding's message, where one check reports several things

    def covers(self, check: str, resource: str, tool: str = "", message: str = "") -> bool:
        return (tool == self.tool and check == self.check and fnmatch(message, self.message)
                and any(fnmatch(resource, glob) for glob in self.resources))

    def describe(self) -> str:
        scope = f" ({self.message})" if self.message != "*" else ""
        return f"{self.tool + ' ' if self.tool else ''}{self.check}{scope} {', '.join(self.resources)}"


# (entry, where) -> a message naming what is wrong with the entry's tool/check, or None
EntryRule = Callable[[dict, str], str | None]


def load_exceptions(path: Path, rule: EntryRule, extra_keys: frozenset[str] = frozenset()) -> list[Accepted]:
    """The file's entries; a missing file accepts nothing. Bad entries: one sentence naming the field."""
    doc = load_yaml_file(path) if path.exists() else {"exceptions": []}
    entries = doc.get("exceptions") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise HarnessError(f"{path}: expected a mapping with an `exceptions` list")
    keys = KEYS | extra_keys
    accepted = []
    for i, entry in enumerate(entries):
        where = f"{path}: exceptions[{i}]"
        if not isinstance(entry, dict) or set(entry) - keys:
            raise HarnessError(f"{where}: expected keys {', '.join(sorted(keys))}")
        problem = rule(entry, where)
        if problem:
            raise HarnessError(problem)
        if not str(entry.get("reason", "")).strip():
            raise HarnessError(f"{where}.reason: every accepted finding needs its reason")
        resources = entry.get("resources", ["*"])
        if not isinstance(resources, list) or not all(isinstance(r, str) and r for r in resources):
            raise HarnessError(f"{where}.resources: a list of Kind/name globs")
        message = entry.get("message", "*")
        if not isinstance(message, str) or not message:
            raise HarnessError(f"{where}.message: a glob over the finding's message")
        accepted.append(Accepted(str(entry["check"]), tuple(resources), " ".join(str(entry["reason"]).split()),
                                 str(entry.get("tool", "")), message))
    return accepted


def unused(exceptions: list[Accepted], used: Iterable[Accepted | None]) -> list[Accepted]:
    """Entries no finding was accepted by: stale on a full run."""
    matched = {id(a) for a in used if a is not None}
    return [a for a in exceptions if id(a) not in matched]
