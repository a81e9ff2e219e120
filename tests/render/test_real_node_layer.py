"""The real node's values layer reaches the Acme releases only through the deploy path's state
value: helmfile without it resolves exactly as before (every render stays the same), with it each
Acme release gets its own file of the layer, last, so it wins over the environment's values."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from harness.core.project import Project

REPO = Path(__file__).resolve().parents[2]
ACME = ("acme-platform", "acme-api", "acme-ui")


def _values(*state_values: str) -> dict[str, list]:
    project = Project(REPO)
    args = [str(project.tool("helmfile")), "-f", str(project.helmfile), "-e", "local"]
    for value in state_values:
        args += ["--state-values-set", value]
    done = subprocess.run([*args, "build"], cwd=REPO, env=project.tool_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    state = yaml.safe_load(done.stdout)
    return {r["name"]: r.get("values") or [] for r in state["releases"] if r["name"] in ACME}


def test_without_the_state_value_no_release_reads_the_layer() -> None:
    for release, values in _values().items():
        assert not any("real-node" in str(v) for v in values), release


def test_with_it_every_acme_release_reads_its_own_file_last() -> None:
    layered = _values("realNode=/tmp/real-node")
    assert set(layered) == set(ACME)
    for release, values in layered.items():
        assert values[-1] == f"/tmp/real-node/{release}.yaml", values
