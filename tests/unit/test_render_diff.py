"""benchmarks/render_diff.py: counts allowed changes, refuses the ones upgrades break on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "render_diff.py"
_spec = importlib.util.spec_from_file_location("render_diff", SCRIPT)
render_diff = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_diff)


def service(chart: str = "acme-db-0.1.0", component: str = "database", port: int = 5432) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "acme-db", "namespace": "acme", "labels": {"helm.sh/chart": chart}},
            "spec": {"selector": {"app.kubernetes.io/component": component}, "ports": [{"port": port}]}}


def secret(password: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "acme-db-credentials", "namespace": "acme"},
            "stringData": {"password": password}}


@pytest.fixture
def rendered(tmp_path: Path):
    def write(side: str, *docs: dict) -> Path:
        directory = tmp_path / side
        directory.mkdir(exist_ok=True)
        (directory / "acme-platform__env__local.yaml").write_text(yaml.safe_dump_all(docs))
        return directory
    return write


def test_label_change_is_counted_and_allowed(rendered, capsys):
    before = rendered("before", service(), secret("a" * 32))
    after = rendered("after", service(chart="acme-db-0.1.1"), secret("b" * 32))
    assert render_diff.main([str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert "1 changed fields in 1 distinct changes" in out
    assert "Service metadata.labels.helm.sh/chart: acme-db-0.1.0 -> acme-db-0.1.1 (1)" in out


@pytest.mark.parametrize(("changed", "phrase"), [
    (service(component="db"), "spec.selector.app.kubernetes.io/component: database -> db"),
    (service(port=5433), "spec.ports[0].port: 5432 -> 5433"),
    (secret("a" * 32), "Secret/acme/acme-db-credentials only after"),
], ids=["selector", "port", "new-object"])
def test_upgrade_breaking_change_is_refused(rendered, capsys, changed, phrase):
    before = rendered("before", service())
    after = rendered("after", changed) if changed["kind"] == "Service" else rendered("after", service(), changed)
    assert render_diff.main([str(before), str(after)]) == 1
    refused = [line for line in capsys.readouterr().out.splitlines() if line.startswith("REFUSED")]
    assert len(refused) == 1 and phrase in refused[0]


def test_empty_directory_is_bad_input(rendered, tmp_path, capsys):
    after = rendered("after", service())
    assert render_diff.main([str(tmp_path / "missing"), str(after)]) == 2
    assert "holds no rendered scenarios" in capsys.readouterr().err
