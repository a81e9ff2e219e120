"""intstr percentages resolved like the controllers: surge up, unavailable down, PDB up."""

import pytest

from harness.core.intstr import scaled

CASES = [
    ("int", 2, 3, False, 2),
    ("25%-of-3-down", "25%", 3, False, 0),
    ("25%-of-3-up", "25%", 3, True, 1),
    ("100%-of-3", "100%", 3, False, 3),
    ("50%-of-5-down", "50%", 5, False, 2),
    ("50%-of-5-up", "50%", 5, True, 3),
    ("0%-up", "0%", 5, True, 0),
]


@pytest.mark.parametrize(("value", "total", "up", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scaled(value, total, up, expected):
    assert scaled(value, total, round_up=up) == expected
