"""The evaluator held to netpol-oracle over what each environment deploys: every endpoint the flow
contract names (rendered pods, modelled neighbours, the internet, an external database) to every
other, on every port worth probing, direction by direction."""

from __future__ import annotations

from pathlib import Path

import pytest

from differential import Query, disagreements
from harness.core.project import Project
from harness.policy.netpol import candidate_ports, resolve_endpoints
from harness.publish.environments import environment_scenarios
from harness.render.helmfile import environment_names

PROJECT = Project(Path(__file__).resolve().parents[2])
ENVIRONMENTS = environment_names(PROJECT)


@pytest.fixture(scope="module")
def scenarios():
    return {s.environment: s for s in environment_scenarios(PROJECT, ENVIRONMENTS)}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_evaluator_agrees_with_the_oracle(env, scenarios, oracle, compared):
    scenario = scenarios[env]
    endpoints = [e for group in resolve_endpoints(scenario.intended, scenario.manifests).values() for e in group]
    queries = [Query(s, t, port, protocol)
               for s, source in enumerate(endpoints) if not source.serves_only
               for t, target in enumerate(endpoints) if t != s
               for port, protocol in sorted(candidate_ports(target, endpoints, scenario.intended))]
    policies = scenario.manifests.of_kind("NetworkPolicy")
    found, verdicts = disagreements(oracle, endpoints, policies, queries)
    compared[f"environment {env}"] += len(queries)
    assert not found, f"{env}: {len(found)} of {len(queries)} connections disagree:\n" + "\n".join(map(str, found))
    # Not a vacuous agreement: the environment isolates, and lets the intended flows through.
    assert policies and any(v.allowed for v in verdicts) and not all(v.allowed for v in verdicts)
