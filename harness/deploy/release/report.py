"""The release report: Markdown for people (a CI job summary, a PR comment), JUnit XML for
the CI system's test view, and each smoke run's own JUnit and JSON (as `harness smoke` writes
them). A skipped step or smoke check is shown as skipped, never as passed."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from ...checks.report import FORMATS, add_suites, details
from ...checks.run import Outcome as SmokeOutcome
from ...checks.run import Status
from .analysis import Verdict
from .flow import elapsed
from .outcome import Exit, ReleaseRecord

_VERDICT = {
    Exit.RELEASED: "released: every smoke check passed",
    Exit.PREFLIGHT_FAILED: "stopped before deploying: a preflight gate failed",
    Exit.APPLY_FAILED: "helmfile apply failed (helm rolled the failed release back itself)",
    Exit.ROLLED_BACK: "smoke failed after the deploy: rolled back, the previous revision passes smoke",
    Exit.NEEDS_HUMAN: "smoke failed and the environment is not verified healthy: act now (see the runbook)",
    Exit.CANARY_ABORTED: "the canary failed its analysis: weight back to 0, canary removed, the stable track passes smoke",
}


# Exit 7 of a blue-green release: the preview or the watch failed.
BLUE_GREEN_ABORTED = ("the new colour failed its preview or its watch: the public hosts stay on (or went back to) "
                      "the old colour, which passes smoke")


def verdict(record: ReleaseRecord) -> str:
    if record.exit is Exit.CANARY_ABORTED and record.strategy == "blue-green":
        return BLUE_GREEN_ABORTED
    return _VERDICT[record.exit]


def ending(record: ReleaseRecord) -> str:
    """The exit's name for one console line: `canary aborted`, `blue-green aborted`, `released`, ..."""
    if record.exit is Exit.CANARY_ABORTED and record.strategy == "blue-green":
        return "blue-green aborted"
    return record.exit.name.lower().replace("_", " ")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _smoke_rows(outcomes: list[SmokeOutcome]) -> list[str]:
    rows = ["| check | result | detail |", "|---|---|---|"]
    for o in outcomes:
        rows.append(f"| `{o.check.id}` | {o.status.value} | {_cell('; '.join(details(o)))} |")
    return rows


def markdown(record: ReleaseRecord) -> str:
    lines = [f"# Release to `{record.env}` (context `{record.context}`)", "",
             f"**Result: exit {int(record.exit)} — {verdict(record)}** ({elapsed(record):.1f} s)", "",
             "## Steps", "", "| step | result | seconds | detail |", "|---|---|---|---|"]
    lines += [f"| {s.name} | {s.status} | {s.seconds:.1f} | {_cell(s.detail)} |" for s in record.steps]
    if record.decisions:
        lines += ["", f"## Analysis ({record.strategy})", "", "| step | decision | numbers and reasons |", "|---|---|---|"]
        lines += [f"| {d.weight}% | {d.verdict.value} | {_cell(d.line())} |" for d in record.decisions]
    if record.observations:
        lines += ["", f"## Requests through the edge ({record.strategy})", "",
                  "| step | url | requests | failed | p99 | counted by the colour |", "|---|---|---|---|---|---|"]
        lines += [f"| {o.step} | {o.requests.url} | {o.requests.requests} | {o.requests.failed} | "
                  f"{o.requests.p99_ms:.1f} ms | {'-' if o.answered is None else f'{o.answered:.0f}'} |"
                  for o in record.observations]
    lines += ["", "## What changed", ""]
    if record.changed:
        lines += ["| release | revision before | revision after | rolled back to |", "|---|---|---|---|"]
        for name, (old, new) in record.changed.items():
            back = record.rolled_back.get(name)
            lines.append(f"| {name} | {old if old is not None else '(new)'} | {new} | {back if back else '-'} |")
    else:
        lines.append("No release changed.")
    diff = next((s.output for s in record.steps if s.name == "helmfile diff" and s.output), "")
    if diff:
        lines += ["", "<details><summary>helmfile diff (Secret values shown as digests)</summary>", "",
                  "```diff", diff, "```", "", "</details>"]
    for title, outcomes in (("Smoke checks after the deploy", record.smoke),
                            ("Smoke checks after the rollback", record.smoke_after_rollback)):
        if outcomes:
            lines += ["", f"## {title}", "", *_smoke_rows(outcomes)]
    failed = [s for s in record.steps if s.status == Status.FAIL and s.output]
    for step in failed:
        lines += ["", f"## {step.name}: failures", "", "```", step.output, "```"]
    return "\n".join(lines) + "\n"


def junit(record: ReleaseRecord) -> str:
    suites = ET.Element("testsuites", name=f"release-{record.env}")
    steps = ET.SubElement(suites, "testsuite", name=f"release/{record.env}", tests=str(len(record.steps)),
                          failures=str(sum(s.status == Status.FAIL for s in record.steps)),
                          skipped=str(sum(s.status == Status.SKIP for s in record.steps)), errors="0")
    for step in record.steps:
        case = ET.SubElement(steps, "testcase", classname=f"release.{record.env}", name=step.name,
                             time=f"{step.seconds:.3f}")
        if step.status == Status.FAIL:
            ET.SubElement(case, "failure", message=step.detail).text = step.output or step.detail
        elif step.status == Status.SKIP:
            ET.SubElement(case, "skipped", message=step.detail)
    if record.decisions:
        _analysis_suite(suites, record)
    for label, outcomes in (("smoke", record.smoke), ("smoke-after-rollback", record.smoke_after_rollback)):
        if outcomes:
            add_suites(suites, outcomes, f"{label}/{record.env}")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _analysis_suite(suites: ET.Element, record: ReleaseRecord) -> None:
    """One test case per analysed step; an aborting decision is its failure, with every number."""
    aborted = [d for d in record.decisions if d.verdict is Verdict.ABORT]
    suite = ET.SubElement(suites, "testsuite", name=f"analysis/{record.env}", tests=str(len(record.decisions)),
                          failures=str(len(aborted)), skipped="0", errors="0")
    for d in record.decisions:
        case = ET.SubElement(suite, "testcase", classname=f"analysis.{record.env}.{record.strategy}",
                             name=f"step {d.weight}%")
        if d.verdict is Verdict.ABORT:
            ET.SubElement(case, "failure", message="; ".join(d.reasons)).text = d.line()
        else:
            ET.SubElement(case, "system-out").text = d.line()


def write(record: ReleaseRecord, directory: Path) -> list[Path]:
    """release-ENV.md and .xml, plus smoke[-after-rollback]-ENV.xml and .json for each smoke run."""
    directory.mkdir(parents=True, exist_ok=True)
    texts = {f"release-{record.env}.md": markdown(record), f"release-{record.env}.xml": junit(record)}
    for label, outcomes in (("smoke", record.smoke), ("smoke-after-rollback", record.smoke_after_rollback)):
        if outcomes:
            texts[f"{label}-{record.env}.xml"] = FORMATS["junit"](outcomes)
            texts[f"{label}-{record.env}.json"] = FORMATS["json"](outcomes)
    for name, text in texts.items():
        (directory / name).write_text(text)
    return [directory / name for name in texts]
