"""Smoke checks: stable id, one-line description, severity; findings reuse the core Finding type.

Kept apart from the render registry because these run over a live Snapshot, not a Scenario,
and `harness checks` must list only what `harness check` can run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable

from ..core.manifests import ObjectRef
from .registry import CheckSkipped, Finding, Severity
from ..live.snapshot import Obj, Snapshot
from ..live.settings import SmokeSettings


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class SmokeCheck:
    id: str
    description: str
    severity: Severity
    run: Callable[[Snapshot, SmokeSettings, "SmokeCheck"], Iterable[Finding]]

    def finding(self, obj: Obj | None, field: str, message: str, kind: str = "") -> Finding:
        ref = None
        if obj is not None:
            meta = obj.get("metadata", {})
            ref = ObjectRef(kind or obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))
        return Finding(self.id, self.severity, ref, field, message)


@dataclass(frozen=True)
class Outcome:
    check: SmokeCheck
    status: Status
    findings: tuple[Finding, ...] = ()
    note: str = ""


_SMOKE: dict[str, SmokeCheck] = {}


def smoke_check(id: str, description: str, severity: Severity = Severity.ERROR):
    def register(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in _SMOKE:
            raise RuntimeError(f"duplicate smoke check id {id}")
        _SMOKE[id] = SmokeCheck(id, description, severity, fn)
        return fn

    return register


def all_smoke_checks() -> list[SmokeCheck]:
    from . import smoke as checks  # noqa: F401  (importing the package registers every check)

    return sorted(_SMOKE.values(), key=lambda c: c.id)


def run_check(check: SmokeCheck, snapshot: Snapshot, settings: SmokeSettings) -> Outcome:
    try:
        findings = tuple(check.run(snapshot, settings, check))
    except CheckSkipped as skip:
        return Outcome(check, Status.SKIP, note=f"skipped: {skip}")
    if any(f.severity is Severity.ERROR for f in findings):
        return Outcome(check, Status.FAIL, findings)
    return Outcome(check, Status.PASS, findings)
