"""The pinned promtool family (tools/promtool): promtool checks rule files and scrape configurations;
promql-inspect parses bare PromQL expressions with the same module's parser and names the metrics
each one selects (promtool parses expressions only inside rule files and prints no selectors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from .process import run

TIMEOUT = 60  # seconds; both answer a few hundred expressions in well under one


@dataclass(frozen=True)
class Parsed:
    """One expression: the metric names its selectors fix, or the parser's error."""

    metrics: tuple[str, ...] = ()
    error: str = ""


def inspect(binary: Path, expressions: list[str]) -> list[Parsed]:
    """Parse `expressions` in one promql-inspect process; one answer each, in order."""
    if not expressions:
        return []
    done = run([binary], what="promql-inspect", timeout=TIMEOUT, stdin=json.dumps(expressions)).require("promql-inspect")
    try:
        answers = json.loads(done.stdout)
        parsed = [Parsed(error=a["error"]) if "error" in a else Parsed(tuple(a["metrics"])) for a in answers]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise HarnessError(f"promql-inspect answered something else than a JSON list of results: {done.stdout[:200]}") from None
    if len(parsed) != len(expressions):
        raise HarnessError(f"promql-inspect answered {len(parsed)} results for {len(expressions)} expressions")
    return parsed


def check_rules(binary: Path, rule_file: str) -> list[str]:
    """promtool's complaints about one rule file's text (groups: [...]); [] when it is valid."""
    done = run([binary, "check", "rules"], what="promtool check rules", timeout=TIMEOUT, stdin=rule_file)
    if done.ok:
        return []
    return _complaints(done.stderr) or [done.tail()]


def check_config(binary: Path, config: Path) -> list[str]:
    """promtool's complaints about a Prometheus configuration file; [] when it is valid."""
    done = run([binary, "check", "config", config], what="promtool check config", timeout=TIMEOUT)
    if done.ok:
        return []
    return _complaints(done.stderr) or [done.tail()]


def _complaints(stderr: str) -> list[str]:
    """promtool writes "  FAILED:" (or "  FAILED: reason") and then one error per line."""
    lines = []
    for line in stderr.splitlines():
        text = line.strip()
        if text.startswith("FAILED:"):
            text = text.removeprefix("FAILED:").strip()
        if text:
            lines.append(text)
    return lines
