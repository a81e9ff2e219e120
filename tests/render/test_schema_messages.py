"""Every `pattern` of every chart's values schema, fed a value it refuses: helm names the field in one short line.

Helm prints a failed `pattern` with the whole regular expression and JSON Schema has no message of
its own to show instead, so a long expression buries the field (the cron schedule's was 720
characters). Values that need one are checked in the templates, with a sentence and an example.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from pinned_tools import pinned_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
# One line of helm's schema report ("- at '/a/b': 'x' does not match pattern '…'") stays readable.
MAX_LINE = 160
CANDIDATES = ("Not Valid!", "-", "x", "")

pytestmark = pytest.mark.slow

# chart directory -> the umbrella key its values sit under ("" for the chart itself)
CHARTS = {
    "charts/acme-api": "",
    "charts/acme-ui": "",
    "charts/acme-lib/tests/consumer": "",
    **{f"charts/acme-platform/charts/{p.parent.name}": p.parent.name
       for p in sorted((REPO_ROOT / "charts/acme-platform/charts").glob("*/values.schema.json"))},
}


def pattern_sites(schema: dict) -> list[tuple[tuple, str, bool]]:
    """(values path, pattern, is a key) of every pattern; paths use 0 for a list item, "k" for a map entry."""
    sites = []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        ref = node.get("$ref", "")
        if ref.startswith("#/definitions/"):
            walk(schema["definitions"][ref.split("/")[-1]], path)
        if "pattern" in node:
            sites.append((path, node["pattern"], False))
        for key, sub in (node.get("properties") or {}).items():
            walk(sub, (*path, key))
        walk(node.get("items"), (*path, 0))
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], (*path, "k"))
        names = node.get("propertyNames")
        if isinstance(names, dict) and "pattern" in names:
            sites.append((path, names["pattern"], True))
        for sub in node.get("oneOf") or []:
            walk(sub, path)

    walk(schema, ())
    return sites


def refused(pattern: str) -> str:
    """A value the pattern does not match (the patterns keep to syntax Python and ECMA 262 share)."""
    return next(c for c in CANDIDATES if not re.search(pattern, c))


def put(values: dict, path: tuple, value) -> None:
    node = values
    for step, following in zip(path, (*path[1:], None)):
        empty = [] if following == 0 else {}
        if step == 0:
            if not node:
                node.append(empty if following is not None else value)
            if following is None:
                node[0] = value
                return
            node = node[0]
        else:
            if following is None:
                node[step] = value
                return
            node = node.setdefault(step, empty)


def bad_values(chart: str, umbrella_key: str) -> tuple[dict, list[str], set[str]]:
    """Values that break every pattern of the chart at once, the JSON pointers helm should name, the refused keys."""
    schema = json.loads((REPO_ROOT / chart / "values.schema.json").read_text())
    values: dict = {}
    pointers, keys = [], set()
    for path, pattern, is_key in pattern_sites(schema):
        bad = refused(pattern)
        if is_key:
            put(values, (*path, bad), "x")
            keys.add(bad)
        else:
            put(values, path, bad)
            pointers.append("/" + "/".join(str(step) for step in path))
    if umbrella_key:
        values = {umbrella_key: {**values, "enabled": True}}
    return values, pointers, keys


@pytest.mark.parametrize(("chart", "key"), list(CHARTS.items()), ids=list(CHARTS))
def test_every_refused_pattern_is_one_short_line_naming_the_field(chart, key, tmp_path):
    values, pointers, keys = bad_values(chart, key)
    assert pointers, f"{chart}: no pattern found; the walk no longer understands the schema"
    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    target = REPO_ROOT / ("charts/acme-platform" if key else chart)
    proc = subprocess.run([str(pinned_tool("helm")), "template", "t", str(target), "--values", str(values_file)],
                          capture_output=True, text=True)
    assert proc.returncode != 0, f"{chart}: helm accepted values that break every pattern"
    report = proc.stderr
    long = [line for line in report.splitlines() if len(line) > MAX_LINE]
    assert long == [], f"{chart}: {len(long)} schema message line(s) longer than {MAX_LINE}: {long[0][:300]}…"
    unnamed = [p for p in pointers if f"- at '{p}': " not in report]
    assert unnamed == [], f"{chart}: no message names {unnamed}\n{report[:2000]}"
    # A refused map key is reported under a wrong path (santhosh-tekuri/jsonschema#258, which helm
    # vendors), so the message must at least quote the key itself.
    unquoted = [k for k in keys if f"invalid propertyName '{k}'" not in report]
    assert unquoted == [], f"{chart}: no message quotes the refused key(s) {unquoted}"


SCHEDULES = ["17 2 * * *", "*/15 * * * *", "0 3 * * mon-fri", "0 3 1,15 * *", "0 0 * jan-mar sun", "@daily",
             "@every 1h30m", "30 4 * * 7", "61 2 * * *", "17 2 * *", "0 25 * * *", "0 3 * * fri-mon", "0 3 * * 8",
             "0 3 * foo *", "0 3 */0 * *", "TZ=UTC 0 3 * * *", "0 3 32 * *", "0 3 1-2-3 * *"]


def test_the_chart_refuses_the_schedules_the_harness_refuses_with_a_sentence(tmp_path):
    """The chart's cron check (backup.cronError) and the harness's backup.cron agree, case by case."""
    from harness.checks.render.backup import cron_error

    names = {f"s{index:02d}": schedule for index, schedule in enumerate(SCHEDULES)}
    values = {"backup": {"enabled": True, "objectStorage": {"bucket": "acme-backups", "cidrs": ["10.20.0.0/24"]},
                         "velero": {"schedules": {n: {"schedule": s, "ttl": "1h"} for n, s in names.items()}}}}
    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    proc = subprocess.run([str(pinned_tool("helm")), "template", "t", str(REPO_ROOT / "charts/acme-platform"),
                           "--values", str(values_file)], capture_output=True, text=True)
    # acme-lib.failOnErrors writes one "- message" line per refused value.
    messages = {n: line for n in names for line in proc.stderr.splitlines()
                if line.startswith(f"- backup.velero.schedules.{n}.schedule: ")}
    expected = {n for n, s in names.items() if cron_error(s)}
    assert set(messages) == expected and len(expected) == 10, proc.stderr
    for name, line in messages.items():
        assert f'"{names[name]}" is not a cron schedule (' in line and 'such as "17 2 * * *"' in line, line
