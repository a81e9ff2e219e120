"""The upstream operator charts of staging and production: every pin recorded with its check
(docs/upstream-charts.yaml), and our values valid against the chart's own values schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, validators

from harness.core.project import Project
from harness.core.yamlio import load_yaml_file
from harness.render.helmfile import built_releases
from harness.tools.gomod import module_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(REPO_ROOT)
RECORD = load_yaml_file(REPO_ROOT / "docs" / "upstream-charts.yaml")
ENTRIES = {entry["release"]: entry for entry in RECORD["charts"]}
WITH_SCHEMA = sorted(name for name, entry in ENTRIES.items() if isinstance(entry["values-schema"], dict))


def upstream_releases(env: str) -> dict[str, dict]:
    return {r["name"]: r for r in built_releases(PROJECT, env) if (r.get("labels") or {}).get("tier") == "upstream"}


@pytest.mark.parametrize("env", ["staging", "production"])
def test_every_upstream_pin_is_the_recorded_one(env):
    """A bump without checking the new version (and recording it) fails here."""
    pinned = {name: (r["chart"], str(r["version"])) for name, r in upstream_releases(env).items()}
    assert pinned == {name: (e["chart"], str(e["version"])) for name, e in ENTRIES.items()}


def test_each_record_says_what_was_checked_and_when():
    assert RECORD["checked"] == date(2026, 12, 2)
    for name, entry in ENTRIES.items():
        assert entry["status"] in ("verified", "not-found"), name
        assert entry["source"].startswith("github.com/") and entry["evidence"].strip() and entry["newest-seen"], name
        assert (entry["status"] == "not-found") == bool(entry.get("secondary")), f"{name}: secondary only when not found"


def schema_of(entry: dict) -> dict:
    where = entry["values-schema"]
    if "file" in where:
        return json.loads((REPO_ROOT / where["file"]).read_text())
    return json.loads((module_dir(REPO_ROOT / where["wrapper"], where["module"]) / where["path"]).read_text())


def validator(schema: dict):
    # Several charts name a draft by a URL jsonschema does not list (https://…/draft-07/schema#,
    # http://json-schema.org/schema#); Helm validates those as draft 7, so do we.
    return validators.validator_for(schema, default=Draft7Validator)(schema)


def errors(schema: dict, values: dict) -> list[tuple[str, str]]:
    return sorted((".".join(map(str, e.absolute_path)), e.message) for e in validator(schema).iter_errors(values))


@pytest.mark.parametrize("env", ["staging", "production"])
@pytest.mark.parametrize("release", WITH_SCHEMA)
def test_our_values_pass_the_charts_own_schema(env, release):
    files = [REPO_ROOT / path for path in upstream_releases(env)[release].get("values") or []]
    assert files and all(f.suffix == ".yaml" for f in files), f"{release}: a templated values file cannot be checked"
    schema = schema_of(ENTRIES[release])
    for path in files:
        assert errors(schema, load_yaml_file(path) or {}) == [], path


@pytest.mark.parametrize(("release", "values", "expected"), [
    ("traefik", {"deployment": {"replicas": "two"}}, [("deployment.replicas", "'two' is not of type 'integer'")]),
    ("cert-manager", {"replicaCount": 2, "webhok": {}},
     [("", "Additional properties are not allowed ('webhok' was unexpected)")]),
    ("otel-collector", {"mode": "sidecar"}, [("mode", "'sidecar' is not one of ['daemonset', 'deployment', 'statefulset', '']")]),
    ("loki", {"loki": {"rulerConfig": {"storage": "s3"}}}, [("loki.rulerConfig.storage", "'s3' is not of type 'object', 'null'")]),
], ids=["traefik", "cert-manager", "otel-collector", "loki"])
def test_a_broken_value_is_caught_by_the_charts_schema(release, values, expected):
    assert errors(schema_of(ENTRIES[release]), values) == expected
