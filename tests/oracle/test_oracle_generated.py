"""The evaluator held to netpol-oracle over generated worlds and policy sets (hypothesis: seeded,
bounded). A disagreement fails with the shrunk, minimal policy set and the connections it decides
differently."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from differential import Query, disagreements
from generated import OUTSIDE_PORTS, UNLISTENED, World, policy_sets, worlds

EXAMPLES = 300


def queries(world: World) -> list[Query]:
    """Pod to pod on every port some pod declares and one none does; pods to and from outside."""
    declared = {(p.port, p.protocol) for e in world.endpoints for p in e.ports} | {UNLISTENED}
    found = []
    for s, source in enumerate(world.endpoints):
        for t, target in enumerate(world.endpoints):
            if s == t or not (source.in_cluster or target.in_cluster):
                continue
            ports = declared if target.in_cluster else set(OUTSIDE_PORTS)
            found += [Query(s, t, port, protocol) for port, protocol in sorted(ports)]
    return found


@st.composite
def cases(draw):
    world = draw(worlds())
    return world, draw(policy_sets(world))


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_evaluator_agrees_with_the_oracle_on_generated_policies(case, oracle, compared):
    world, policies = case
    asked = queries(world)
    found, _ = disagreements(oracle, list(world.endpoints), policies, asked)
    compared["generated"] += len(asked)
    pods = [{"pod": f"{e.namespace}/{e.name}", "ip": str(e.ip), "labels": dict(e.labels),
             "namespace labels": dict(e.namespace_labels), "ports": [f"{p.name}:{p.port}/{p.protocol}" for p in e.ports]}
            for e in world.endpoints if e.in_cluster]
    assert not found, ("evaluator and oracle disagree\npolicies:\n" + json.dumps([p.doc for p in policies], indent=1)
                       + "\npods:\n" + json.dumps(pods, indent=1) + "\n" + "\n".join(map(str, found)))
