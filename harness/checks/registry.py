"""The one check registry: every render and smoke check, registered by a call after its function, chosen by id or family.

A check is a pure function over its subject: a rendered Scenario (`check(...)`) or a live Snapshot
(`smoke_check(...)`). A family (the id's first part) belongs to one subject, so `--only tls` never
means two different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable

from ..core.errors import HarnessError
from ..core.manifests import K8sObject, ObjectRef


class Severity(str, Enum):
    """The same for every subject: an error finding fails its check, a warning is reported only."""

    ERROR = "error"
    WARNING = "warning"


class Subject(str, Enum):
    """What a check runs over; the value names it in `harness checks` and in the JSON report."""

    SCENARIO = "scenario"  # rendered manifests (`harness check`)
    SNAPSHOT = "snapshot"  # one read of a deployed namespace (`harness smoke`)


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
    scenario: str = ""  # the subject's name once located: a scenario, or a snapshot's env/namespace
    release: str = ""

    def located(self, scenario: str) -> "Finding":
        return Finding(self.check_id, self.severity, self.object, self.field, self.message, scenario, self.release)


class CheckSkipped(Exception):
    """Raised by a check that cannot run on this subject; reported as SKIP, never as a pass."""


@dataclass(frozen=True)
class Check:
    id: str
    description: str
    severity: Severity
    subject: Subject
    needs: Needs
    run: Callable[..., Iterable[Finding]]

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def finding(self, obj: K8sObject | ObjectRef | dict[str, Any] | None, field: str, message: str,
                kind: str = "") -> Finding:
        """`obj` is a rendered object, a reference, or a live object (dict) whose kind may be given."""
        if isinstance(obj, dict):
            meta = obj.get("metadata", {})
            ref = ObjectRef(kind or obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))
            return Finding(self.id, self.severity, ref, field, message)
        ref = obj.ref if isinstance(obj, K8sObject) else obj
        release = obj.release if isinstance(obj, K8sObject) else ""
        return Finding(self.id, self.severity, ref, field, message, release=release)


# Ids that were renamed: selecting the old id still selects the check (CHANGELOG.md, harness section).
RENAMED: dict[str, str] = {"tls.certificates": "certificate.valid",
                           "observability.alert-metadata": "monitoring.alert-metadata",
                           "observability.monitor-target": "monitoring.monitor-target"}

_REGISTRY: dict[str, Check] = {}


def register(new: Check) -> Check:
    """Add a check; a reused id or a family already taken by the other subject is a programming error."""
    if new.id in _REGISTRY:
        raise RuntimeError(f"duplicate check id {new.id}")
    other = next((c for c in _REGISTRY.values() if c.family == new.family and c.subject is not new.subject), None)
    if other is not None:
        raise RuntimeError(f"check {new.id}: family `{new.family}` already holds {other.subject.value} checks ({other.id})")
    _REGISTRY[new.id] = new
    return new


def check(id: str, description: str, run: Callable[..., Iterable[Finding]], severity: Severity = Severity.ERROR,
          needs: Needs = Needs.ANY) -> Check:
    """Register a render check `run(scenario, check) -> findings` under a stable id like `rollout.max-unavailable`.

    Called at module level after the plain function, never as a decorator: mutmut leaves decorated functions
    unmutated, so a decorator would keep every check body out of `make mutation`.
    """
    return register(Check(id, description, severity, Subject.SCENARIO, needs, run))


def smoke_check(id: str, description: str, run: Callable[..., Iterable[Finding]],
                severity: Severity = Severity.ERROR) -> Check:
    """Register a smoke check `run(snapshot, settings, check) -> findings` under a stable id like `pod.healthy`."""
    return register(Check(id, description, severity, Subject.SNAPSHOT, Needs.ANY, run))


def all_checks(subject: Subject | None = None) -> list[Check]:
    """Every registered check (of one subject), by id; importing the family packages registers them."""
    from . import render, smoke  # noqa: F401

    return sorted((c for c in _REGISTRY.values() if subject is None or c.subject is subject), key=lambda c: c.id)


def select_checks(only: list[str] | None, subject: Subject = Subject.SCENARIO) -> list[Check]:
    """The checks of `subject` to run; `only` takes exact ids or a family like `rollout`."""
    checks = all_checks(subject)
    if not only:
        return checks
    chosen: list[Check] = []
    for wanted in only:
        wanted = RENAMED.get(wanted, wanted)
        matched = [c for c in checks if c.id == wanted or c.family == wanted]
        if not matched:
            raise HarnessError(_unknown(wanted, subject))
        chosen += [c for c in matched if c not in chosen]
    return chosen


# How a user calls the checks of each subject.
_KINDS = {Subject.SCENARIO: "render", Subject.SNAPSHOT: "smoke"}


def _unknown(wanted: str, subject: Subject) -> str:
    other = [c for c in all_checks() if c.subject is not subject and (c.id == wanted or c.family == wanted)]
    if other:
        kind = _KINDS[other[0].subject]
        return f"`{wanted}` names {kind} checks, not {_KINDS[subject]} checks (see `harness checks`)"
    return f"unknown check id `{wanted}` (see `harness checks`)"
