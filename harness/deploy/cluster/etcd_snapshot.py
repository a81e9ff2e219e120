"""The local control plane's etcd saved to a file and brought back (`harness cluster snapshot|restore`).

kwokctl does both: `snapshot save` runs etcdctl against the cluster's etcd, `snapshot restore` stops
etcd and the API server, restores the file with etcdutl into a fresh data directory that replaces the
old one, starts them again and restarts the controllers, scheduler and kwok (whose watches would
otherwise hold revisions newer than the restored store). The harness adds what kwokctl leaves to its
caller: a running cluster and a real snapshot file up front, the file's revision and key count,
waiting until the API server is ready, and the simulated nodes' leases handed back to the running
kwok (the snapshot's name the kwok instance that was running when it was taken).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import HarnessError
from ...core.yamlio import load_all
from ...tools.etcdutl import snapshot_status
from ...tools.process import ToolError
from . import kwokctl, nodes
from .client import api_client, reachable, ready
from .settings import ETCD_TOOL_OPTIONS, ClusterSettings


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    size: int
    revision: int
    keys: int

    def describe(self) -> str:
        return f"{self.path} ({self.size} bytes, revision {self.revision}, {self.keys} keys)"


@dataclass(frozen=True)
class Saved:
    snapshot: SnapshotFile
    seconds: float

    def lines(self) -> list[str]:
        return [f"snapshot: {self.snapshot.describe()}", f"took: {self.seconds:.2f} s"]


@dataclass(frozen=True)
class Restored:
    snapshot: SnapshotFile
    restore_seconds: float  # kwokctl: stop etcd and the API server, etcdutl restore, start, restart the rest
    ready_seconds: float  # from the start until the API server is ready and kwok holds its nodes again

    def lines(self) -> list[str]:
        return [f"restored: {self.snapshot.describe()}",
                f"took: {self.restore_seconds:.2f} s restore, API server ready and nodes held after {self.ready_seconds:.2f} s"]


def inspect(settings: ClusterSettings, path: Path) -> SnapshotFile:
    """The snapshot file's revision and key count; a missing or foreign file is bad input."""
    if not path.is_file():
        raise HarnessError(f"cluster restore: no snapshot file at {path}")
    try:
        status = snapshot_status(settings.binary("etcdutl"), path)
    except ToolError as err:
        raise HarnessError(f"cluster restore: {err}") from None
    return SnapshotFile(path, path.stat().st_size, int(status["revision"]), int(status["totalKey"]))


def save(settings: ClusterSettings, path: Path) -> Saved:
    """Snapshot the running cluster's etcd into `path` (a new file; an existing one is never overwritten)."""
    path = path.resolve()
    if path.exists():
        raise HarnessError(f"cluster snapshot: {path} exists; name a new file")
    if not path.parent.is_dir():
        raise HarnessError(f"cluster snapshot: directory {path.parent} does not exist")
    _require_ready(settings, "snapshot")
    started = time.monotonic()
    kwokctl.run(settings, "snapshot", "save", "--format", "etcd", "--path", str(path), timeout=300)
    seconds = time.monotonic() - started
    path.chmod(0o600)  # every Secret of the cluster is in it
    return Saved(inspect(settings, path), seconds)


def restore(settings: ClusterSettings, path: Path, ready_timeout: float = 120) -> Restored:
    """Replace the running cluster's etcd by the snapshot in `path`; back when the API server answers."""
    snapshot = inspect(settings, path.resolve())
    _require_ready(settings, "restore")
    started = time.monotonic()
    kwokctl.run(settings, "snapshot", "restore", "--format", "etcd", "--path", str(snapshot.path), timeout=300)
    restored = time.monotonic() - started
    api = api_client(settings.kubeconfig, settings.context)
    while not ready(api):
        if time.monotonic() - started > ready_timeout:
            raise HarnessError(f"cluster restore: API server not ready {ready_timeout:.0f} s after the restore; "
                               f"logs in {settings.state_file.parent / 'logs'}")
        time.sleep(0.2)
    nodes.release_leases(api, settings.nodes_file)
    return Restored(snapshot, restored, time.monotonic() - started)


def _require_ready(settings: ClusterSettings, verb: str) -> None:
    """A running cluster whose kwokctl knows local etcd tools (clusters created before it did must be recreated)."""
    if not settings.state_file.exists() or not settings.kubeconfig.exists() \
            or not reachable(api_client(settings.kubeconfig, settings.context)):
        raise HarnessError(f"cluster {verb}: the local cluster is not running on 127.0.0.1:{settings.port}; "
                           "start it with `harness cluster up`")
    documents = load_all(settings.state_file.read_text(), str(settings.state_file))
    options = next((d.get("options") or {} for d in documents if d.get("kind") == "KwokctlConfiguration"), {})
    for name, option in ETCD_TOOL_OPTIONS.items():
        if not Path(str(options.get(option, ""))).is_file():
            raise HarnessError(f"cluster {verb}: the cluster was created without a local {name} ({option}: "
                               f"{options.get(option) or 'unset'}), so kwokctl would download it; recreate it "
                               "with `harness cluster down` and `harness cluster up`")
