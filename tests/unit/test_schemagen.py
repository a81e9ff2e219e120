"""`harness schema [--check]`: the app charts' values.schema.json composed from acme-lib's fragments.

The committed schemas must equal the composition, an edited fragment must be reported as drift
naming every schema it feeds, and a broken source or fragment is one sentence and exit 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FRAGMENTS = Path("charts/acme-lib/schema")
API_SOURCE = Path("charts/acme-api/values.schema.src.json")
API_SCHEMA = "charts/acme-api/values.schema.json"
UI_SCHEMA = "charts/acme-ui/values.schema.json"


@pytest.fixture
def schema_project(tmp_path) -> Path:
    """A copy of charts/ only: composing schemas needs nothing else."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "charts", root / "charts",
                    ignore=shutil.ignore_patterns("*.tgz", "tmpcharts"))
    return root


def harness(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", "schema", *args], cwd=project, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "ACME_ROOT": str(project),
                                          "PYTHONPATH": str(REPO_ROOT), "HOME": str(project)}, timeout=60)


def _edit_json(path: Path, change: Callable[[dict], None]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2) + "\n")


def test_committed_schemas_are_the_composition() -> None:
    done = harness(REPO_ROOT, "--check")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


def test_an_edited_fragment_is_drift_in_every_schema_it_feeds(schema_project: Path) -> None:
    _edit_json(schema_project / FRAGMENTS / "replicaCount.json", lambda d: d.update(minimum=2))
    failed = harness(schema_project, "--check")
    assert failed.returncode == 1
    assert API_SCHEMA in failed.stderr and UI_SCHEMA in failed.stderr and "make schema" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1

    assert harness(schema_project).returncode == 0
    assert harness(schema_project, "--check").returncode == 0
    written = json.loads((schema_project / API_SCHEMA).read_text())
    assert written["properties"]["replicaCount"]["minimum"] == 2


def test_a_hand_edited_schema_is_drift_of_that_file_only(schema_project: Path) -> None:
    _edit_json(schema_project / UI_SCHEMA, lambda d: d["properties"].pop("cdn"))
    failed = harness(schema_project, "--check")
    assert failed.returncode == 1
    assert UI_SCHEMA in failed.stderr and API_SCHEMA not in failed.stderr


def test_an_extension_adds_to_the_fragment_it_names(schema_project: Path) -> None:
    """acme-api's ports are acme-lib's `ports` (http) plus its own metrics port, both required."""
    ports = json.loads((schema_project / API_SCHEMA).read_text())["properties"]["ports"]
    assert list(ports["properties"]) == ["http", "metrics"] and ports["required"] == ["http", "metrics"]
    assert ports["additionalProperties"] is False


def _missing_fragment(root: Path) -> None:
    _edit_json(root / API_SOURCE, lambda d: d["properties"].update(image={"$fragment": "imag"}))


def _not_json(root: Path) -> None:
    (root / FRAGMENTS / "port.json").write_text('{"type": ')


def _cycle(root: Path) -> None:
    (root / FRAGMENTS / "port.json").write_text('{"$fragment": "port"}\n')


def _override(root: Path) -> None:
    _edit_json(root / API_SOURCE, lambda d: d["properties"].update(
        ports={"$fragment": "ports", "properties": {"http": {"type": "string"}}}))


def _unknown_extension(root: Path) -> None:
    _edit_json(root / API_SOURCE, lambda d: d["properties"].update(
        ports={"$fragment": "ports", "additionalProperties": True}))


def _bad_type(root: Path) -> None:
    (root / FRAGMENTS / "port.json").write_text('{"type": "integr"}\n')


def _traversal(root: Path) -> None:
    _edit_json(root / API_SOURCE, lambda d: d["properties"].update(image={"$fragment": "../../acme-api/values"}))


@pytest.mark.parametrize("breakage, expected", [
    (_missing_fragment, "values.schema.src.json: properties.image: fragment `imag` not found "
                        "(no charts/acme-lib/schema/imag.json)"),
    (_not_json, "charts/acme-lib/schema/port.json: not valid JSON"),
    (_cycle, "fragment `port` uses itself"),
    (_override, "http already come(s) from fragment `ports`"),
    (_unknown_extension, "only properties and required may extend a fragment, not additionalProperties"),
    (_bad_type, "the composed schema is not valid draft-07"),
    (_traversal, "$fragment must name a fragment like"),
], ids=["missing-fragment", "fragment-not-json", "fragment-cycle", "override-of-a-fragment-property",
        "unknown-extension-key", "invalid-draft-07", "path-outside-the-fragments"])
def test_broken_input_is_one_sentence_and_exit_2(schema_project: Path, breakage, expected: str) -> None:
    breakage(schema_project)
    for args in ((), ("--check",)):
        done = harness(schema_project, *args)
        assert done.returncode == 2, done.stderr
        assert expected in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_make_verify_runs_the_schema_drift_check() -> None:
    dry_run = subprocess.run(["make", "-n", "verify"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "harness schema --check" in dry_run.stdout, dry_run.stdout


def test_the_source_is_not_packaged() -> None:
    """Only the generated schema ships: helm package skips what .helmignore lists."""
    for chart in ("acme-api", "acme-ui"):
        ignored = (REPO_ROOT / "charts" / chart / ".helmignore").read_text().splitlines()
        assert "values.schema.src.json" in ignored
