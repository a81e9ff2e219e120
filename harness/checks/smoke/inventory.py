"""What several smoke families share: the released objects of a kind the cluster does not have."""

from __future__ import annotations

from typing import Iterator

from ..registry import Check, Finding
from ...live.releases import deployed_manifests
from ...live.snapshot import Obj, Snapshot


def missing_from_cluster(snap: Snapshot, check: Check, kind: str, live: list[Obj]) -> Iterator[Finding]:
    """One finding per object of `kind` in a deployed release manifest that `live` lacks by name."""
    for doc in deployed_manifests(snap.release_secrets):
        if doc.get("kind") == kind and snap.named(live, doc["metadata"]["name"]) is None:
            yield check.finding(doc, "metadata.name", f"released {kind} missing from the cluster")
