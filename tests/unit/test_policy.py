"""The intended-flow contract file: a malformed one is one clear line naming where, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.core.errors import HarnessError
from harness.policy.intended import load_intended_flows

POLICY = Path(__file__).resolve().parents[2] / "policy" / "intended-flows.yaml"


@pytest.fixture(scope="module")
def contract() -> dict:
    return yaml.safe_load(POLICY.read_text())


def test_the_real_contract_loads() -> None:
    flows = load_intended_flows(POLICY)
    assert flows.component("api") is not None and flows.flows


@pytest.mark.parametrize(("key", "value", "message"), [
    ("flows", 7, "flows: 7 is not of type 'array'"),
    ("components", 5, "components: 5 is not of type 'object'"),
    ("cluster", 3, "cluster: 3 is not of type 'object'"),
    ("flows", [{"from": "api", "to": "db", "port": 99999}], "flows.0.port: 99999 is greater than the maximum"),
    ("flows", [{"from": "api", "to": "db"}], "'port' is a required property"),
    ("flows", [{"from": "api", "to": "nowhere", "port": 80}], "unknown component `nowhere`"),
    ("surprise", True, "Additional properties are not allowed ('surprise'"),
], ids=["flows-not-list", "components-not-map", "cluster-not-map", "port-out-of-range", "port-missing",
        "unknown-component", "unknown-key"])
def test_malformed_contract_names_the_place(tmp_path, contract, key, value, message) -> None:
    broken = tmp_path / "intended-flows.yaml"
    broken.write_text(yaml.safe_dump({**contract, key: value}))
    with pytest.raises(HarnessError, match="intended-flows.yaml: ") as err:
        load_intended_flows(broken)
    assert message in str(err.value)
