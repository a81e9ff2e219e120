"""The etcd restore drill: snapshot the control plane, delete a namespace, restore the snapshot, and
read back what the namespace held (the e2e test asserts on it, benchmarks/etcd_drill.py times it).

What "back" means is exact: every object of every release's deployed manifest and every helm release
record, each with the UID it had before. A UID is given once by the API server, so an equal UID is
the same object restored, never a look-alike created again by a controller or a redeploy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client, dynamic
from kubernetes.client.exceptions import ApiException

from ...core.errors import HarnessError
from ...live import snapshot
from ...live.releases import deployed_manifests, revisions
from . import etcd_snapshot
from .settings import ClusterSettings

Key = tuple[str, str, str]  # kind, namespace, name


@dataclass(frozen=True)
class Inventory:
    releases: dict[str, tuple[int, str]]  # release record Secret -> (revision, uid)
    objects: dict[Key, str]  # every object of the deployed manifests -> uid ("" when missing)

    @property
    def missing(self) -> list[Key]:
        return sorted(key for key, uid in self.objects.items() if not uid)


@dataclass(frozen=True)
class DrillResult:
    before: Inventory
    emptied: Inventory  # right after the namespace was deleted
    after: Inventory
    saved: etcd_snapshot.Saved
    restored: etcd_snapshot.Restored
    delete_seconds: float
    total_seconds: float

    def lines(self) -> list[str]:
        same = sum(self.after.objects.get(k) == uid for k, uid in self.before.objects.items())
        return [*self.saved.lines(),
                f"namespace deleted in {self.delete_seconds:.2f} s: {len(self.emptied.missing)} of "
                f"{len(self.before.objects)} objects and {len(self.before.releases) - len(self.emptied.releases)} "
                "release records gone",
                *self.restored.lines(),
                f"back with the same UIDs: {same} of {len(self.before.objects)} objects, "
                f"{len(self.after.releases)} of {len(self.before.releases)} release records",
                f"drill total: {self.total_seconds:.2f} s"]


def inventory(api: client.ApiClient, namespace: str, manifests: list[dict]) -> Inventory:
    """UIDs of the release records in `namespace` and of each object in `manifests`."""
    releases = {r.secret["metadata"]["name"]: (r.version, r.secret["metadata"]["uid"])
                for revs in revisions(snapshot.load(api, namespace).release_secrets).values() for r in revs}
    resources = dynamic.DynamicClient(api).resources
    objects = {}
    for doc in manifests:
        kind, name = doc["kind"], doc["metadata"]["name"]
        resource = resources.get(api_version=doc["apiVersion"], kind=kind)
        where = (doc["metadata"].get("namespace") or namespace) if resource.namespaced else ""
        try:
            live = resource.get(name=name, namespace=where or None)
            objects[(kind, where, name)] = live.metadata.uid
        except ApiException as err:
            if err.status != 404:
                raise HarnessError(f"etcd drill: reading {kind} {where}/{name} failed: {err.status} {err.reason}") from None
            objects[(kind, where, name)] = ""
    return Inventory(releases, objects)


def delete_namespace(api: client.ApiClient, namespace: str, timeout: float = 120) -> float:
    """Delete `namespace` and wait until the API server no longer knows it; seconds taken."""
    core = client.CoreV1Api(api)
    started = time.monotonic()
    core.delete_namespace(namespace)
    while time.monotonic() - started < timeout:
        try:
            core.read_namespace(namespace)
        except ApiException as err:
            if err.status == 404:
                return time.monotonic() - started
            raise
        time.sleep(0.2)
    raise HarnessError(f"etcd drill: namespace {namespace} still there {timeout:.0f} s after its deletion")


def run_drill(settings: ClusterSettings, api: client.ApiClient, namespace: str, workdir: Path) -> DrillResult:
    """Snapshot, delete `namespace`, restore; the inventories before, in between and after."""
    manifests = deployed_manifests(snapshot.load(api, namespace).release_secrets)
    if not manifests:
        raise HarnessError(f"etcd drill: no deployed helm release in namespace {namespace}; deploy first")
    before = inventory(api, namespace, manifests)
    started = time.monotonic()
    saved = etcd_snapshot.save(settings, workdir / "etcd-snapshot.db")
    delete_seconds = delete_namespace(api, namespace)
    emptied = inventory(api, namespace, manifests)
    restored = etcd_snapshot.restore(settings, saved.snapshot.path)
    total = time.monotonic() - started
    return DrillResult(before, emptied, inventory(api, namespace, manifests), saved, restored, delete_seconds, total)
