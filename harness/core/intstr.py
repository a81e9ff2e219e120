"""Kubernetes int-or-percent values (maxSurge, maxUnavailable, minAvailable) resolved against a total."""

from __future__ import annotations

import math
from typing import Any


def scaled(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: "25%" of total, rounded the way the controller does
    (the Deployment controller rounds maxSurge up and maxUnavailable down; the disruption controller
    rounds both PDB fields up)."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)
