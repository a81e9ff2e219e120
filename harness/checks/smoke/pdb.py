"""Every released PodDisruptionBudget exists and currently allows a voluntary disruption."""

from __future__ import annotations

from typing import Iterable

from ...core.fields import get_or
from .inventory import missing_from_cluster
from ..registry import Check, Finding, smoke_check
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def pdb_allows_disruption(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    yield from missing_from_cluster(snap, check, "PodDisruptionBudget", snap.pdbs)
    for pdb in snap.pdbs:
        status = get_or(pdb, "status")  # get_or reads an absent mapping as empty
        if get_or(status, "disruptionsAllowed", 0) < 1:
            yield check.finding(pdb, "status.disruptionsAllowed",
                                f"0 allowed ({get_or(status, 'currentHealthy', 0)} healthy, "
                                f"{get_or(status, 'desiredHealthy', 0)} desired): a node drain would block",
                                "PodDisruptionBudget")


smoke_check("pdb.allows-disruption", "every PodDisruptionBudget currently allows at least one disruption",
            pdb_allows_disruption)
