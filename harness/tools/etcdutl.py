"""etcdutl, which reads etcd snapshot files offline."""

from __future__ import annotations

import json
from pathlib import Path

from .process import ToolError, run


def snapshot_status(binary: Path, snapshot: Path) -> dict:
    """`etcdutl snapshot status -w json`: hash, revision, totalKey, totalSize, version of a snapshot file."""
    what = f"etcdutl snapshot status {snapshot}"
    ran = run([binary, "snapshot", "status", snapshot, "-w", "json"], what=what, timeout=60)
    if not ran.ok:
        raise ToolError(f"{snapshot} is not an etcd snapshot ({ran.tail(1).removeprefix('Error: ')})")
    try:
        return json.loads(ran.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"`{what}` printed no JSON: {ran.tail(1)}") from None
