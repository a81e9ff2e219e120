"""Every expected Helm release is deployed, at the expected revision when one is given."""

from __future__ import annotations

from typing import Iterable

from ..registry import Check, Finding, smoke_check
from ...live.releases import revisions
from ...live.settings import SmokeSettings
from ...live.snapshot import Snapshot


def release_deployed(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    found = revisions(snap.release_secrets)
    for name in settings.releases:
        ref = {"metadata": {"name": name, "namespace": snap.namespace}}
        revs = found.get(name)
        if not revs:
            yield check.finding(ref, "status", "release not installed", kind="Release")
            continue
        newest = revs[0]
        if newest.status != "deployed":
            yield check.finding(ref, "status", f"revision {newest.version} is {newest.status!r}, not deployed", kind="Release")
        expected = settings.expected_revisions.get(name)
        if expected is not None and newest.version != expected:
            yield check.finding(ref, "version", f"at revision {newest.version}, expected {expected}", kind="Release")


smoke_check("release.deployed", "every expected Helm release's newest revision is deployed (at the expected revision)",
            release_deployed)
