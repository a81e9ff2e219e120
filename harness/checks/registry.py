"""The check registry: every check is a pure function over a Scenario, registered by decorator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable

from ..core.errors import HarnessError
from ..core.manifests import K8sObject, ObjectRef


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Needs(str, Enum):
    """What a scenario must hold for a check to apply at all (otherwise it is not listed)."""

    ANY = "any"
    ENVIRONMENT = "environment"  # all releases of one helmfile environment together


@dataclass(frozen=True)
class Finding:
    check_id: str
    severity: Severity
    object: ObjectRef | None
    field: str
    message: str
    scenario: str = ""
    release: str = ""

    def located(self, scenario: str) -> "Finding":
        return Finding(self.check_id, self.severity, self.object, self.field, self.message, scenario, self.release)


class CheckSkipped(Exception):
    """Raised by a check that cannot run in this scenario; reported as SKIP, never as a pass."""


@dataclass(frozen=True)
class Check:
    id: str
    description: str
    severity: Severity
    needs: Needs
    run: Callable[..., Iterable[Finding]]

    def finding(self, obj: K8sObject | ObjectRef | None, field: str, message: str) -> Finding:
        ref = obj.ref if isinstance(obj, K8sObject) else obj
        release = obj.release if isinstance(obj, K8sObject) else ""
        return Finding(self.id, self.severity, ref, field, message, release=release)


_REGISTRY: dict[str, Check] = {}


def check(id: str, description: str, severity: Severity = Severity.ERROR, needs: Needs = Needs.ANY):
    """Register `fn(scenario, check) -> findings` under a stable id like `rollout.max-unavailable`."""

    def register(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in _REGISTRY:
            raise RuntimeError(f"duplicate check id {id}")
        _REGISTRY[id] = Check(id, description, severity, needs, fn)
        return fn

    return register


def all_checks() -> list[Check]:
    from . import render as checks  # noqa: F401  (importing the package registers every family)

    return sorted(_REGISTRY.values(), key=lambda c: c.id)


def select_checks(only: list[str] | None) -> list[Check]:
    """The checks to run; `only` takes exact ids or a family prefix like `rollout`."""
    checks = all_checks()
    if not only:
        return checks
    chosen = []
    for wanted in only:
        matched = [c for c in checks if c.id == wanted or c.id.startswith(wanted + ".")]
        if not matched:
            raise HarnessError(f"unknown check id `{wanted}` (see `harness checks`)")
        chosen += [c for c in matched if c not in chosen]
    return chosen
