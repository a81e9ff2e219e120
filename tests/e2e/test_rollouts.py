"""Zero-downtime and rollback proofs: real Deployment controller, kwok-simulated pods.

Each upgrade runs while a watch records every status the controller writes; the proofs
are statements over those samples, not over a final state.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from kubernetes import client

from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.live.releases import revisions
from harness.deploy.rollback import plan, roll_back
from rollout_watch import DeploymentWatch, resolve_max_unavailable

pytestmark = pytest.mark.e2e

DEPLOYMENT = "acme-api"
# Short enough for CI, long enough that 1-3 s readiness plus minReadySeconds never trips it.
PROGRESS_DEADLINE = 20
# The controller notices a missed deadline on its next sync of the Deployment; allow for it.
DETECTION_SLACK = 15


def _revision(api: client.ApiClient, namespace: str) -> int:
    return revisions(snapshot.load(api, namespace).release_secrets)[DEPLOYMENT][0].version


def _availability_floor(api: client.ApiClient, namespace: str) -> int:
    """replicas - maxUnavailable, resolved the way the Deployment controller resolves it."""
    spec = client.AppsV1Api(api).read_namespaced_deployment(DEPLOYMENT, namespace).spec
    return spec.replicas - resolve_max_unavailable(spec.strategy.rolling_update.max_unavailable, spec.replicas)


def _generation(api: client.ApiClient, namespace: str) -> int:
    return client.AppsV1Api(api).read_namespaced_deployment(DEPLOYMENT, namespace).metadata.generation


@pytest.mark.parametrize("max_unavailable", [1, 0], ids=["max-unavailable-1", "max-unavailable-0"])
def test_upgrade_keeps_availability(api, deployed, helm, api_chart, max_unavailable):
    ns = deployed.namespace
    tag = f"1.0.{int(time.time())}-mu{max_unavailable}"
    with DeploymentWatch(api, ns, DEPLOYMENT) as watch:
        replicas = watch.latest().replicas
        started = time.monotonic()
        helm("upgrade", "acme-api", str(api_chart), "--reuse-values",
             "--set", f"image.tag={tag}", "--set", f"strategy.maxUnavailable={max_unavailable}")
        outcome, seconds = watch.wait(_generation(api, ns), started, timeout=120)
        floor = replicas - resolve_max_unavailable(max_unavailable, replicas)
        lowest = watch.recorder.min_available()
    assert outcome == "complete", f"rollout ended {outcome} after {seconds:.0f} s"
    assert lowest >= floor, f"available replicas dropped to {lowest}, below {floor}"
    if max_unavailable:
        # The controller does use its allowance: seeing that dip proves the watch catches dips.
        assert lowest == floor
    image = client.AppsV1Api(api).read_namespaced_deployment(DEPLOYMENT, ns).spec.template.spec.containers[0].image
    assert image.endswith(f":{tag}")


def test_never_ready_upgrade_is_detected_and_rolled_back(api, cluster, deployed, helm, api_chart, tmp_path):
    ns = deployed.namespace
    good = _revision(api, ns)
    bad_values = tmp_path / "never-ready.yaml"
    bad_values.write_text('podLabels:\n  kwok.acme.dev/never-ready: "true"\n')
    floor = _availability_floor(api, ns)
    with DeploymentWatch(api, ns, DEPLOYMENT) as watch:
        started = time.monotonic()
        # the chart's own deadline, shortened for this release only; the rollback restores it
        helm("upgrade", "acme-api", str(api_chart), "--reuse-values", "--set", "image.tag=0.0.0-broken",
             "--set", f"progressDeadlineSeconds={PROGRESS_DEADLINE}", "-f", str(bad_values))
        outcome, seconds = watch.wait(_generation(api, ns), started, timeout=PROGRESS_DEADLINE + 60)
        assert outcome == "deadline-exceeded", f"bad rollout ended {outcome} after {seconds:.0f} s"
        assert seconds <= PROGRESS_DEADLINE + DETECTION_SLACK

        # The demo's automatic rollback: plan from the revisions, then `helm rollback --wait`.
        targets = plan({DEPLOYMENT: good}, snapshot.load(api, ns).release_secrets)
        assert targets == {DEPLOYMENT: good}
        rolled_back_at = time.monotonic()
        roll_back(cluster.binary("helm"), targets, ns, cluster.context, cluster.env())
        outcome, seconds = watch.wait(_generation(api, ns), rolled_back_at, timeout=120)
        assert outcome == "complete", f"rollback ended {outcome} after {seconds:.0f} s"
        lowest = watch.recorder.min_available()
    assert lowest >= floor, f"the bad release took availability to {lowest}, below {floor}"
    restored = client.AppsV1Api(api).read_namespaced_deployment(DEPLOYMENT, ns).spec.progress_deadline_seconds
    assert restored != PROGRESS_DEADLINE, "the rollback must restore the good revision's deadline"

    expected = replace(deployed, expected_revisions={"acme-api": good + 2})
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, ns), expected, 60)
    assert not runner.failed(outcomes), [(o.check.id, o.findings) for o in outcomes if o.findings]


@pytest.mark.parametrize(("strategy", "second"), [("canary", "acme-api-canary"), ("blueGreen", "acme-api-green")],
                         ids=["canary", "blue-green"])
def test_switching_strategy_leaves_the_serving_deployment_alone(api, deployed, helm, api_chart, strategy, second):
    """rolling -> canary|blueGreen -> rolling: the second track comes and goes beside the serving Deployment,
    which keeps its object, its selector and its pod template (no rollout), and never dips in availability."""
    ns = deployed.namespace
    apps = client.AppsV1Api(api)
    before = apps.read_namespaced_deployment(DEPLOYMENT, ns)
    with DeploymentWatch(api, ns, DEPLOYMENT) as watch:
        started = time.monotonic()
        helm("upgrade", "acme-api", str(api_chart), "--reuse-values", "--wait", "--timeout", "120s",
             "--set", f"rollout.strategy={strategy}")
        added = apps.read_namespaced_deployment(second, ns)
        helm("upgrade", "acme-api", str(api_chart), "--reuse-values", "--wait", "--timeout", "120s",
             "--set", "rollout.strategy=rolling")
        lowest = watch.recorder.min_available(started)
    after = apps.read_namespaced_deployment(DEPLOYMENT, ns)
    assert added.status.available_replicas, f"{second} never became available"
    assert after.metadata.uid == before.metadata.uid
    assert after.spec.selector == before.spec.selector
    assert after.spec.template == before.spec.template, "the pod template changed: the serving pods were replaced"
    assert lowest >= before.status.available_replicas, f"available replicas dropped to {lowest}"
    assert second not in {d.metadata.name for d in apps.list_namespaced_deployment(ns).items}
