"""A check that cannot run says why, in the words `harness check` shows: each skip condition of the
render checks, with the exact reason."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

import factories as f
import render_cases as rc
from harness.checks.registry import CheckSkipped, Subject, all_checks
from harness.checks.render import promql

RENDER = {c.id: c for c in all_checks(Subject.SCENARIO)}


def without_intended_flows():
    return dataclasses.replace(rc.policies(*f.policy_environment()), intended=None)


def without_baseline(note: str):
    return dataclasses.replace(f.scenario(rc.api()), baseline=None, baseline_note=note)


SKIPS = [
    ("contracts.needs", "no-helmfile", lambda: f.scenario(rc.api()), "no helmfile.yaml: release ordering cannot be checked"),
    ("isolation.flows", "no-intended-flows", without_intended_flows, "no intended-flows file (policy/intended-flows.yaml)"),
    ("isolation.exposure", "no-intended-flows", without_intended_flows, "no intended-flows file (policy/intended-flows.yaml)"),
    ("longterm.metrics-remote-write", "no-upstream-releases", lambda: f.scenario(),
     "the environment installs no upstream backends (local: the harness stands in for them)"),
    ("longterm.metrics-remote-write", "no-prometheus", lambda: rc.upstream_environment(drop=("kube-prometheus-stack",)),
     "the environment installs no kube-prometheus-stack"),
    ("longterm.logs-object-storage", "no-loki", lambda: rc.upstream_environment(drop=("loki",)),
     "the environment installs no Loki"),
    ("longterm.traces-object-storage", "no-tempo", lambda: rc.upstream_environment(drop=("tempo",)),
     "the environment installs no Tempo"),
    ("longterm.no-inline-credentials", "no-storage-backend",
     lambda: rc.upstream_environment(drop=("mimir", "loki", "tempo")), "the environment installs no storage backend"),
    ("tls.issuer", "no-issuer-rendered", lambda: rc.release(reference=()),
     "no Issuer or ClusterIssuer rendered (acme-platform not part of this scenario)"),
    ("upgrade.immutable-fields", "no-baseline-render", lambda: without_baseline(""), "no render at the git base ref"),
    ("upgrade.immutable-fields", "the-baseline-note", lambda: without_baseline("acme-api is new at the base ref"),
     "acme-api is new at the base ref"),
    ("schema.kubernetes", "not-configured", lambda: f.scenario(rc.api()), "schema validation not configured"),
    ("schema.kubernetes", "schemas-unavailable",
     lambda: dataclasses.replace(f.scenario(rc.api()), schemas=SimpleNamespace(available=False, unavailable_reason="no documents")),
     "no documents"),
]


@pytest.mark.parametrize(("check_id", "build", "reason"), [(s[0], s[2], s[3]) for s in SKIPS], ids=[f"{s[0]}:{s[1]}" for s in SKIPS])
def test_a_check_that_cannot_run_says_why(check_id, build, reason):
    check = RENDER[check_id]
    with pytest.raises(CheckSkipped) as skip:
        list(check.run(build(), check))
    assert str(skip.value) == reason


def test_promql_without_a_metric_catalogue_says_why(monkeypatch, tmp_path):
    # a project without policy/exported-metrics.yaml: nothing to hold the queried metrics to
    monkeypatch.setattr(promql, "_project", lambda: SimpleNamespace(root=tmp_path))
    check = RENDER["promql.exported-metrics"]
    with pytest.raises(CheckSkipped) as skip:
        list(check.run(f.scenario(rc.dashboard(rc.panel("Requests", "up"))), check))
    assert str(skip.value) == "no policy/exported-metrics.yaml: nothing says which metrics exist"
