"""Outcomes as a console table, JUnit XML (one testcase per scenario x check) or JSON."""

from __future__ import annotations

import json
from collections import Counter
from xml.etree import ElementTree as ET

from .run import Outcome


def summary(outcomes: list[Outcome]) -> str:
    findings = sum(len(o.findings) for o in outcomes)
    failed = sum(1 for o in outcomes if o.findings)
    skipped = sum(1 for o in outcomes if o.skipped)
    passed = len(outcomes) - failed - skipped
    scenarios = len({o.scenario for o in outcomes})
    return (f"{scenarios} scenarios, {len(outcomes)} check runs: {passed} passed, {failed} failed "
            f"({findings} findings), {skipped} skipped")


def to_table(outcomes: list[Outcome]) -> str:
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
    lines.append(summary(outcomes))
    return "\n".join(lines) + "\n"


def to_junit(outcomes: list[Outcome]) -> str:
    suites = ET.Element("testsuites", name="acme-harness")
    by_scenario: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_scenario.setdefault(outcome.scenario, []).append(outcome)
    for scenario, group in by_scenario.items():
        suite = ET.SubElement(suites, "testsuite", name=scenario, tests=str(len(group)),
                              failures=str(sum(1 for o in group if o.findings)),
                              skipped=str(sum(1 for o in group if o.skipped)), errors="0")
        for outcome in group:
            case = ET.SubElement(suite, "testcase", classname=scenario, name=outcome.check.id)
            if outcome.findings:
                failure = ET.SubElement(case, "failure", type=outcome.check.severity.value,
                                        message=f"{len(outcome.findings)} finding(s): {outcome.check.description}")
                failure.text = "\n".join(f"{f.object} {f.field}: {f.message}" for f in outcome.findings)
            elif outcome.skipped:
                ET.SubElement(case, "skipped", message=outcome.skipped)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def to_json(outcomes: list[Outcome]) -> str:
    findings = [
        {"check": f.check_id, "severity": f.severity.value, "scenario": f.scenario, "release": f.release,
         "object": str(f.object) if f.object else None, "field": f.field, "message": f.message}
        for o in outcomes for f in o.findings
    ]
    skipped = [{"check": o.check.id, "scenario": o.scenario, "reason": o.skipped} for o in outcomes if o.skipped]
    return json.dumps({"summary": summary(outcomes), "findings": findings, "skipped": skipped}, indent=2) + "\n"


FORMATS = {"table": to_table, "junit": to_junit, "json": to_json}
