"""The wire matrix probes a source again when its first probe disagrees with the evaluator (kube-router
may not have put a new probe pod's address into the policies yet), and still reports a disagreement
that the second probe repeats. No cluster: the rendering, the pods and the probes are stand-ins."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

import pytest

from harness.deploy.node import wire, wire_matrix
from harness.policy.intended import Flow
from harness.policy.netpol import Endpoint, FlowResult, Verdict

API = Endpoint("api", ipaddress.IPv4Address("10.1.0.2"), "acme", (("app", "api"),))
DB = Endpoint("db", ipaddress.IPv4Address("10.1.0.3"), "acme", (("app", "db"),))
EDGE = Endpoint("edge", ipaddress.IPv4Address("10.1.0.4"), "traefik", (("app", "edge"),))
RESULTS = [FlowResult(API, DB, 5432, "TCP", Verdict(True), Verdict(True)),
           FlowResult(API, EDGE, 8443, "TCP", Verdict(True), Verdict(False))]


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """`answers`: what the probes will answer, in order; `waits`: each probe's policy-sync wait."""
    fake = SimpleNamespace(answers=[], waits=[])
    scenario = SimpleNamespace(intended=SimpleNamespace(flows={Flow("api", "db", 5432, "TCP")}), manifests=[])
    monkeypatch.setattr(wire_matrix, "environment_scenarios", lambda project, envs: [scenario])
    monkeypatch.setattr(wire_matrix, "flow_matrix", lambda intended, manifests: RESULTS)
    monkeypatch.setattr(wire_matrix, "_ready_pod_ip", lambda api, endpoint: str(endpoint.ip))

    def measure(api, node, namespace, labels, targets, sync_seconds=wire.POLICY_SYNC_SECONDS):
        fake.waits.append(sync_seconds)
        return fake.answers.pop(0)
    monkeypatch.setattr(wire_matrix.wire, "measure", measure)
    return fake


def _measured(probes: SimpleNamespace, *answers: dict[str, str]) -> dict[str, str]:
    probes.answers.extend(answers)
    matrix = wire_matrix.measure(None, None, None, "local")
    return {f"{row.target}:{row.port}": row.measured for row in matrix.rows}


REFUSED = "ConnectionRefusedError"


def test_an_agreeing_probe_is_not_repeated(probes) -> None:
    assert _measured(probes, {"db:5432/TCP": "open", "edge:8443/TCP": "timeout"}) == {
        "db:5432": "open", "edge:8443": "timeout"}
    assert probes.waits == [wire.POLICY_SYNC_SECONDS]


def test_a_probe_ahead_of_the_policies_is_measured_again_after_a_longer_wait(probes) -> None:
    assert _measured(probes, {"db:5432/TCP": REFUSED, "edge:8443/TCP": "open"},
                     {"db:5432/TCP": "open", "edge:8443/TCP": "timeout"}) == {"db:5432": "open", "edge:8443": "timeout"}
    assert probes.waits == [wire.POLICY_SYNC_SECONDS, wire.RETRY_SYNC_SECONDS]


def test_a_disagreement_the_second_probe_repeats_is_what_the_matrix_reports(probes) -> None:
    assert _measured(probes, {"db:5432/TCP": REFUSED, "edge:8443/TCP": "timeout"},
                     {"db:5432/TCP": REFUSED, "edge:8443/TCP": "timeout"}) == {"db:5432": REFUSED, "edge:8443": "timeout"}
    assert probes.waits == [wire.POLICY_SYNC_SECONDS, wire.RETRY_SYNC_SECONDS]
