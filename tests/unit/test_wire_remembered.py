"""The release flow's wire matrix is measured again exactly when the cluster state it depends on
changed, and a matrix measured while that state moved is never handed out twice."""

from __future__ import annotations

from harness.deploy.node.wire_matrix import Remembered
from harness.live.wire import WireMatrix, WireRow


class Measurer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> WireMatrix:
        self.calls += 1
        return WireMatrix((WireRow("acme-ui", "acme-api", 8080, "TCP", True, True, f"open #{self.calls}"),))


def states(*values: str):
    sequence = iter(values)
    return lambda: next(sequence)


def test_an_unchanged_state_gets_the_last_matrix() -> None:
    measure = Measurer()
    remembered = Remembered(measure, states("a", "a", "a", "a"))
    first, second = remembered(), remembered()
    assert measure.calls == 1 and second is first


def test_a_changed_state_is_measured_again() -> None:
    measure = Measurer()
    remembered = Remembered(measure, states("a", "a", "b", "b", "b"))
    first, second, third = remembered(), remembered(), remembered()
    assert measure.calls == 2
    assert [m.rows[0].measured for m in (first, second, third)] == ["open #1", "open #2", "open #2"]


def test_a_matrix_measured_while_the_state_moved_is_not_kept() -> None:
    measure = Measurer()
    # a pod turned Ready while the probes ran: the next call measures even though the state is now still
    remembered = Remembered(measure, states("a", "b", "b", "b"))
    first, second = remembered(), remembered()
    assert measure.calls == 2 and second is not first
