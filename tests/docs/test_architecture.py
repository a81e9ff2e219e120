"""The architecture picture draws only what the rendered manifests and NetworkPolicies say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.policy.architecture import mermaid
from harness.core.manifests import Manifests
from harness.core.project import Project
from harness.publish.environments import environment_scenarios


@pytest.fixture(scope="module")
def local_scenario():
    [scenario] = environment_scenarios(Project.discover(), ["local"])
    return scenario


def test_components_hosts_and_intended_flows_are_drawn(local_scenario) -> None:
    picture = mermaid(local_scenario)
    assert 'ui["<b>ui</b><br/>Deployment acme-ui<br/>www.acme.com"]' in picture
    assert 'subgraph release_acme_platform["release acme-platform"]' in picture
    assert '  internet -->|"HTTPS api.acme.com, www.acme.com"| edge' in picture
    assert "  api -->|5432/TCP| db" in picture
    assert "other_acme_pod" not in picture, "probe stand-ins are not part of the architecture"


def test_a_flow_the_policies_no_longer_allow_disappears(local_scenario) -> None:
    without_db_ingress = Manifests(o for o in local_scenario.manifests
                                   if not (o.kind == "NetworkPolicy" and o.name == "acme-db-ingress"))
    after = mermaid(replace(local_scenario, manifests=without_db_ingress, memo={}))
    assert "api -->|5432/TCP| db" in mermaid(local_scenario)
    assert "api -->|5432/TCP| db" not in after
