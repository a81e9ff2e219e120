"""The rollout watch's arithmetic: Kubernetes' rounding and the controller's notion of complete."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from rollout_watch import Recorder, Sample, resolve_max_unavailable


@pytest.mark.parametrize(("value", "replicas", "expected"), [
    (1, 3, 1), (0, 3, 0), ("25%", 3, 0), ("34%", 3, 1), ("50%", 5, 2), (None, 4, 1),
], ids=["int-1", "int-0", "25pct-of-3-rounds-down", "34pct-of-3", "50pct-of-5", "default-25pct"])
def test_max_unavailable_resolves_like_kubernetes(value, replicas, expected):
    assert resolve_max_unavailable(value, replicas) == expected


def deployment(generation=2, observed=2, replicas=3, updated=3, available=3, total=3, reason="NewReplicaSetAvailable"):
    status = NS(observed_generation=observed, updated_replicas=updated, available_replicas=available, replicas=total,
                conditions=[NS(type="Progressing", reason=reason)])
    return NS(metadata=NS(generation=generation), spec=NS(replicas=replicas), status=status)


def test_complete_rollout():
    assert Sample.of(deployment(), 0.0).complete


@pytest.mark.parametrize("change", [
    {"observed": 1}, {"updated": 2}, {"available": 2}, {"total": 5},
], ids=["spec-not-observed", "not-all-updated", "not-all-available", "old-pods-remain"])
def test_incomplete_rollout(change):
    assert not Sample.of(deployment(**change), 0.0).complete


def test_recorder_reports_the_lowest_availability_seen():
    recorder = Recorder()
    for at, available in enumerate([3, 2, 3, 3]):
        recorder.add(Sample.of(deployment(available=available), float(at)))
    assert recorder.min_available() == 2
    assert recorder.min_available(start=2.0) == 3
    assert recorder.min_available(start=1.5) == 2, "the sample in force at the start counts"


def test_recorder_counts_the_state_in_force_when_nothing_changed_after_the_start():
    recorder = Recorder()
    recorder.add(Sample.of(deployment(available=3), 0.0))
    assert recorder.min_available(start=1.0) == 3
