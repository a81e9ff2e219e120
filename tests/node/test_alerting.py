"""A synthetic rule reaches the harness's receiver through the node's Prometheus and Alertmanager,
and a receiver Alertmanager does not post to is named as the place the alert stopped."""

from __future__ import annotations

import dataclasses
import time

import pytest

from harness.checks.registry import Subject, select_checks
from harness.checks.run import Status, run_smoke
from harness.core.project import Project
from harness.deploy.node import alertmanager, monitoring
from harness.deploy.node.settings import NodeSettings
from harness.deploy.target import observability, target_for
from harness.live import alerting, prometheus_api, snapshot
from harness.live.settings import SmokeSettings

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"


@pytest.fixture
def found(api, workloads: NodeSettings):
    return observability(Project.discover(), target_for("local"), api)


def test_the_synthetic_alert_reaches_the_receiver(api, workloads: NodeSettings, found) -> None:
    assert (found.synthetic_rules_dir, found.receiver_address) == (
        str(alertmanager.rules_dir(workloads)), alertmanager.receiver_address(workloads))
    check = select_checks(["observability.alert-delivered"], Subject.SNAPSHOT)
    started = time.monotonic()
    (outcome,) = run_smoke(snapshot.load(api, NAMESPACE), SmokeSettings(observability=found), check)
    assert (outcome.status, outcome.findings) == (Status.PASS, [])
    print(f"alert-delivered: {time.monotonic() - started:.1f} s (write, reload, fire, deliver, remove, reload)")
    assert not list(alertmanager.rules_dir(workloads).glob("*.yaml")), "the synthetic rule stays behind"


def test_trigger_to_receiver_latency(workloads: NodeSettings, found) -> None:
    url, trigger = monitoring.base_url(workloads), alerting.new_trigger()
    with alerting.Receiver(found.receiver_address) as receiver:
        rule = alerting.install(found.synthetic_rules_dir, trigger)
        try:
            sent = time.monotonic()
            prometheus_api.reload(url)
            arrived = receiver.wait_for(trigger, 30)
        finally:
            rule.unlink()
            prometheus_api.reload(url)
    assert arrived is not None, "the synthetic alert did not arrive within 30 s"
    print(f"reload to receiver: {arrived - sent:.2f} s")


def test_a_receiver_alertmanager_does_not_post_to_is_named(api, workloads: NodeSettings, found) -> None:
    elsewhere = dataclasses.replace(found, receiver_address=f"{workloads.host_ip}:{alertmanager.RECEIVER_PORT + 1}",
                                    alert_deadline_seconds=3)
    check = select_checks(["observability.alert-delivered"], Subject.SNAPSHOT)
    (outcome,) = run_smoke(snapshot.load(api, NAMESPACE), SmokeSettings(observability=elsewhere), check)
    assert [(str(f.object), f.field, f.message) for f in outcome.findings] == [
        ("Alertmanager/receiver", "", f"{alerting.ALERT} fired and went to http://{alertmanager.address(workloads)}"
                                      f"/api/v2/alerts, but did not reach the receiver at {elsewhere.receiver_address} "
                                      "within 3 s")]
