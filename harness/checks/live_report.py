"""The smoke summary: a console table (SKIP is never counted as PASS) and a JSON form."""

from __future__ import annotations

import json

from .live_registry import Outcome, Status


def _details(outcome: Outcome) -> list[str]:
    if outcome.note:
        return [outcome.note]
    return [f"{f.object or '-'} {f.field}: {f.message}".strip() for f in outcome.findings]


def table(outcomes: list[Outcome]) -> str:
    width = max((len(o.check.id) for o in outcomes), default=10)
    lines = [f"{'CHECK'.ljust(width)}  RESULT  DETAIL"]
    for outcome in outcomes:
        details = _details(outcome) or [""]
        lines.append(f"{outcome.check.id.ljust(width)}  {outcome.status.value:<6}  {details[0]}")
        lines += [f"{'':{width}}  {'':6}  {d}" for d in details[1:]]
    lines.append(summary(outcomes))
    return "\n".join(lines)


def summary(outcomes: list[Outcome]) -> str:
    counts = {s: sum(o.status is s for o in outcomes) for s in Status}
    return (f"smoke: {counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
            f"{counts[Status.SKIP]} skipped (skipped checks did not run and are not passes)")


def as_json(outcomes: list[Outcome]) -> str:
    return json.dumps([{
        "id": o.check.id, "description": o.check.description, "status": o.status.value, "note": o.note,
        "findings": [{"object": str(f.object) if f.object else None, "field": f.field, "message": f.message,
                      "severity": f.severity.value} for f in o.findings],
    } for o in outcomes], indent=2)
