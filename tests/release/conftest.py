"""Fakes for the release flow's cluster side (scripted release Secrets, smoke results, helm calls),
and the real local cluster's fixtures for the e2e release test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from release_fakes import release_secret, smoke_result

from harness.core.errors import HarnessError
from harness.deploy.release import flow, preflight
from harness.deploy.target import Target


@dataclass
class FakeCluster:
    """Scripted answers; `calls` records what the flow asked for, in order."""

    diff_changes: bool = True
    apply_error: str = ""
    failing_gate: str = ""
    smoke: list[bool] = field(default_factory=lambda: [True])
    calls: list[str] = field(default_factory=list)
    applied: bool = False
    rolled_back: bool = False

    def secrets(self) -> list[dict[str, Any]]:
        api_revs = [release_secret("acme-api", 3, "superseded" if self.applied else "deployed")]
        if self.applied:
            api_revs.append(release_secret("acme-api", 4, "superseded" if self.rolled_back else "deployed"))
        if self.rolled_back:
            api_revs.append(release_secret("acme-api", 5, "deployed"))
        return [*api_revs, release_secret("acme-ui", 2, "deployed")]


@pytest.fixture
def fake_cluster(monkeypatch) -> FakeCluster:
    fake = FakeCluster()
    monkeypatch.setattr(flow, "target_for", lambda env, kubeconfig=None, project=None: Target(env, None, "ctx"))
    monkeypatch.setattr(flow, "require_confirmation", lambda target, confirmed: "ctx")
    monkeypatch.setattr(flow, "api_client", lambda *a: object())
    monkeypatch.setattr(flow, "reachable", lambda api, timeout=5: True)
    monkeypatch.setattr(flow._Run, "releases", lambda self: fake.secrets())

    def gate(name):
        def run(*args):
            fake.calls.append(name)
            return name != fake.failing_gate, f"{name} detail", "broken thing" if name == fake.failing_gate else ""
        return run

    monkeypatch.setattr(preflight, "deployed_baseline", lambda secrets, namespace: None)
    for name in ("run_lint", "run_unittest", "run_render_checks", "run_upgrade_safety"):
        monkeypatch.setattr(preflight, name, gate(name))

    def diff(project, target, context):
        fake.calls.append("diff")
        return fake.diff_changes, "+ image: acme/api:1.0.1" if fake.diff_changes else ""

    def apply(project, target, context):
        fake.calls.append("apply")
        if fake.apply_error:
            raise HarnessError(fake.apply_error)
        fake.applied = True
        return "applied"

    def smoke(load, settings, wait_seconds, only=None, interval=2.0, wire=None):
        fake.calls.append("smoke")
        return smoke_result(fake.smoke.pop(0))

    def roll_back(helm, targets, namespace, context, env):
        fake.calls.append(f"rollback {targets}")
        fake.rolled_back = True
        return [f"{name}->{rev}" for name, rev in targets.items()]

    monkeypatch.setattr(flow, "helmfile_diff", diff)
    monkeypatch.setattr(flow, "helmfile_apply", apply)
    monkeypatch.setattr(flow.runner, "run_until_settled", smoke)
    monkeypatch.setattr(flow, "roll_back", roll_back)
    monkeypatch.setattr(flow, "tool_env", lambda project, target: {})
    return fake
