"""The collector as the chart renders it, run for real: after a re-push and a rollout Prometheus sees one
series per group with the latest value, and what was pushed before the rollout is still there.

The rollout is what the StatefulSet controller does to acme-metrics-0: SIGTERM to the one process
(after preStop), then a new process with the same arguments on the same claimed volume. The last
test is the documented negative case: the layout before this design (independent replicas behind one
Service, memory only) run the same way does leave a stale series, so these assertions can tell.
"""

from __future__ import annotations

import pytest

from pushgateway import CollectorSpec, values_of
from rendered import render

ENVIRONMENTS = ["local", "staging", "production"]
METRIC = "acme_http_requests_total"


def _body(value: float) -> str:
    return f"# TYPE {METRIC} counter\n{METRIC}{{route=\"/orders\"}} {value}\n"


@pytest.fixture(scope="module", params=ENVIRONMENTS, ids=ENVIRONMENTS)
def spec(request) -> CollectorSpec:
    return CollectorSpec.from_documents(render("acme-platform", request.param))


def test_chart_renders_one_persisted_collector(spec):
    assert (spec.kind, spec.replicas) == ("StatefulSet", 1)
    assert spec.data_dir, "the collector container mounts no claimed volume"
    assert any(a.startswith(f"--persistence.file={spec.data_dir}/") for a in spec.args), spec.args


def test_repush_after_rollout_leaves_one_series_with_the_latest_value(spec, collector_factory, free_port, tmp_path):
    volume = tmp_path / "data-acme-metrics-0"
    volume.mkdir()
    port = free_port()
    before = collector_factory(spec.command(port, volume), port).start()
    before.push("acme-api", "api-a", _body(1))
    before.push("acme-api", "api-b", _body(7))

    # The rollout: the kubelet's SIGTERM after preStop; the rest of the grace period is the limit.
    code, seconds = before.stop(timeout=spec.grace_seconds - spec.pre_stop_seconds)
    assert code == 0, f"pushgateway exited with {code} on SIGTERM"

    after = collector_factory(spec.command(port, volume), port).start()
    survived = after.scrape(spec.telemetry_path)
    assert values_of(survived, METRIC, job="acme-api", instance="api-a", route="/orders") == [1.0], \
        "the group pushed before the rollout is gone"
    assert values_of(survived, METRIC, job="acme-api", instance="api-b", route="/orders") == [7.0]
    state = spec.persistence_file(volume)
    assert state is not None and state.stat().st_size > 0, "nothing persisted on the claimed volume"
    pushed_at = values_of(survived, "push_time_seconds", job="acme-api", instance="api-a")

    after.push("acme-api", "api-a", _body(2))
    samples = after.scrape(spec.telemetry_path)
    assert values_of(samples, METRIC, job="acme-api", instance="api-a", route="/orders") == [2.0]
    assert values_of(samples, METRIC, job="acme-api", instance="api-b", route="/orders") == [7.0]
    assert len([s for (name, _), s in samples if name == METRIC]) == 2, "one series per pushed group, no more"
    assert values_of(samples, "push_time_seconds", job="acme-api", instance="api-a")[0] > pushed_at[0]
    print(f"\n{spec.kind} x{spec.replicas}: SIGTERM to exit {seconds * 1000:.0f} ms, "
          f"state file {state.stat().st_size} bytes, "
          f"{len([s for (name, _), s in samples if name == METRIC])} series for 2 groups after re-push")


@pytest.mark.parametrize("spec", ["production"], indirect=True)
def test_two_independent_collectors_leave_a_stale_series(spec, collector_factory, free_port, tmp_path):
    """Negative case, the layout this design replaces: two replicas in memory behind one Service."""
    replicas = []
    for index in range(2):
        port = free_port()
        replicas.append(collector_factory(spec.command(port, tmp_path, spec.without_persistence()), port).start())

    # The Service spreads pushes over the replicas: the re-push of the group lands on the other one.
    replicas[0].push("acme-api", "api-a", _body(1))
    replicas[1].push("acme-api", "api-a", _body(2))
    # Prometheus scrapes every replica; honorLabels keeps the pushed job/instance, so both copies
    # carry the same labels.
    scraped = [sample for replica in replicas for sample in replica.scrape(spec.telemetry_path)]
    assert values_of(scraped, METRIC, job="acme-api", instance="api-a", route="/orders") == [1.0, 2.0], \
        "two replicas should leave the stale value 1 beside the latest 2"

    # And a rollout of a memory-only replica forgets what it held.
    code, _ = replicas[1].stop(timeout=spec.grace_seconds)
    assert code == 0
    port = replicas[1].port
    restarted = collector_factory(spec.command(port, tmp_path, spec.without_persistence()), port).start()
    assert values_of(restarted.scrape(spec.telemetry_path), METRIC, job="acme-api", instance="api-a",
                     route="/orders") == []
