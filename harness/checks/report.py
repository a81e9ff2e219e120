"""Outcomes of render and smoke checks as a console table, JUnit XML (a testsuite per subject) or JSON."""

from __future__ import annotations

import json
from collections import Counter
from xml.etree import ElementTree as ET

from .registry import Check, Finding, Needs, Subject
from .run import Outcome, Status


def _snapshots_only(outcomes: list[Outcome]) -> bool:
    return bool(outcomes) and all(o.check.subject is Subject.SNAPSHOT for o in outcomes)


def _line(finding: Finding) -> str:
    return f"{finding.object or '-'} {finding.field}: {finding.message}"


def details(outcome: Outcome) -> list[str]:
    """What a reader needs of one outcome: the skip reason, or one line per finding."""
    return [f"skipped: {outcome.skipped}"] if outcome.skipped else [_line(f) for f in outcome.findings]


def summary(outcomes: list[Outcome]) -> str:
    counts = Counter(o.status for o in outcomes)
    findings = sum(len(o.findings) for o in outcomes)
    subjects = len({o.subject for o in outcomes})
    noun = "snapshots" if _snapshots_only(outcomes) else "scenarios"
    return (f"{subjects} {noun}, {len(outcomes)} check runs: {counts[Status.PASS]} passed, {counts[Status.FAIL]} failed "
            f"({findings} findings), {counts[Status.SKIP]} skipped")


def to_table(outcomes: list[Outcome]) -> str:
    """A render run is hundreds of scenario x check runs: list the findings. A smoke run is one
    snapshot: list every check with its result, so a SKIP is seen next to the passes."""
    lines = _checklist(outcomes) if _snapshots_only(outcomes) else _findings(outcomes)
    lines.append(summary(outcomes))
    return "\n".join(lines) + "\n"


def _findings(outcomes: list[Outcome]) -> list[str]:
    rows = [("CHECK", "SEVERITY", "SCENARIO", "OBJECT", "FIELD", "MESSAGE")]
    for outcome in outcomes:
        for f in outcome.findings:
            rows.append((f.check_id, f.severity.value, f.scenario, str(f.object or "-"), f.field, f.message))
    lines = []
    if len(rows) > 1:
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    # A skipped check is listed with its reason, once per reason: never silently counted as passed.
    reasons = Counter((o.check.id, o.skipped) for o in outcomes if o.skipped)
    for (check_id, reason), count in sorted(reasons.items()):
        lines.append(f"SKIPPED {check_id} in {count} scenario(s): {reason}")
    return lines


def _checklist(outcomes: list[Outcome]) -> list[str]:
    width = max(len(o.check.id) for o in outcomes)
    lines = [f"{'CHECK'.ljust(width)}  RESULT  DETAIL"]
    for outcome in outcomes:
        lines_of = details(outcome) or [""]
        lines.append(f"{outcome.check.id.ljust(width)}  {outcome.status.value:<6}  {lines_of[0]}".rstrip())
        lines += [f"{'':{width}}  {'':6}  {d}" for d in lines_of[1:]]
    return lines


def add_suites(parent: ET.Element, outcomes: list[Outcome], name: str | None = None) -> None:
    """One testsuite per subject (named `name` when given) holding one testcase per check."""
    by_subject: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_subject.setdefault(outcome.subject, []).append(outcome)
    for subject, group in by_subject.items():
        label = name or subject
        suite = ET.SubElement(parent, "testsuite", name=label, tests=str(len(group)),
                              failures=str(sum(o.status is Status.FAIL for o in group)),
                              skipped=str(sum(o.status is Status.SKIP for o in group)), errors="0")
        for outcome in group:
            case = ET.SubElement(suite, "testcase", classname=label, name=outcome.check.id)
            if outcome.status is Status.FAIL:
                failure = ET.SubElement(case, "failure", type=outcome.check.severity.value,
                                        message=f"{len(outcome.findings)} finding(s): {outcome.check.description}")
                failure.text = "\n".join(_line(f) for f in outcome.findings)
            elif outcome.status is Status.SKIP:
                ET.SubElement(case, "skipped", message=outcome.skipped)
            elif outcome.findings:  # warnings only: the check passed, its findings stay visible
                ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in outcome.findings)


def to_junit(outcomes: list[Outcome]) -> str:
    suites = ET.Element("testsuites", name="acme-harness")
    add_suites(suites, outcomes)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def to_json(outcomes: list[Outcome]) -> str:
    # The subject's key is its kind ("scenario", "snapshot"), so a reader knows what was checked.
    findings = [
        {"check": f.check_id, "severity": f.severity.value, o.check.subject.value: f.scenario, "release": f.release,
         "object": str(f.object) if f.object else None, "field": f.field, "message": f.message}
        for o in outcomes for f in o.findings
    ]
    skipped = [{"check": o.check.id, o.check.subject.value: o.subject, "reason": o.skipped}
               for o in outcomes if o.skipped]
    return json.dumps({"summary": summary(outcomes), "findings": findings, "skipped": skipped}, indent=2) + "\n"


FORMATS = {"table": to_table, "junit": to_junit, "json": to_json}


def catalog(checks: list[Check]) -> str:
    """`harness checks`: id, severity, subject and description of every check."""
    lines = []
    for c in checks:
        scope = " [environment]" if c.needs is Needs.ENVIRONMENT else ""
        lines.append(f"{c.id:30} {c.severity.value:8} {c.subject.value:9} {c.description}{scope}")
    return "\n".join(lines) + "\n"
