"""The one cgroup parent the node's containers live under, in every cgroup hierarchy.

kubelet (cgroupfs driver, no per-QoS tree) hands `/<parent>` to containerd as every pod's cgroup
parent, and runc creates the pods' cgroups below it. The project creates the parent, and at down
kills what is left inside and removes exactly that subtree: no other cgroup is ever written, and
no hierarchy is mounted or unmounted.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from ...core.errors import HarnessError

ROOT = Path("/sys/fs/cgroup")


def hierarchies(mountinfo: str | None = None) -> list[Path]:
    """Mount points of every cgroup hierarchy: the v1 ones, and the unified one of a hybrid host
    (kubelet's cgroupfs driver creates the parent there too)."""
    text = mountinfo if mountinfo is not None else Path("/proc/self/mountinfo").read_text()
    found = []
    for line in text.splitlines():
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        if fstype in ("cgroup", "cgroup2"):
            found.append(Path(fields[4]))
    return sorted(found)


def create(parent: str) -> list[Path]:
    made = []
    for hierarchy in hierarchies():
        path = hierarchy / parent
        path.mkdir(exist_ok=True)
        made.append(path)
        # A cpuset cgroup takes no task until it has CPUs and memory nodes: inherit the root's.
        for knob in ("cpuset.cpus", "cpuset.mems"):
            if (hierarchy / knob).exists() and not (path / knob).read_text().strip():
                (path / knob).write_text((hierarchy / knob).read_text())
    return made


def _subtree(top: Path) -> list[Path]:
    """Every cgroup under `top` (top included), deepest first, so rmdir can go in order."""
    dirs = [Path(d) for d, _, _ in os.walk(top)]
    return sorted(dirs, key=lambda d: len(d.parts), reverse=True)


def tasks(parent: str) -> set[int]:
    found: set[int] = set()
    for hierarchy in hierarchies():
        if (hierarchy / parent).is_dir():
            for cgroup in _subtree(hierarchy / parent):
                try:
                    found.update(int(p) for p in (cgroup / "cgroup.procs").read_text().split())
                except OSError:
                    pass  # removed meanwhile
    return found


def kill_pod(parent: str, pod_uid: str) -> int:
    """SIGKILL every process of one pod (kubelet's cgroup `pod<uid>` under `parent`), as a crash
    would: no SIGTERM, no preStop. Returns how many processes got the signal."""
    pids: set[int] = set()
    for hierarchy in hierarchies():
        for cgroup in (hierarchy / parent).glob(f"kubepods/**/pod{pod_uid}"):
            for member in _subtree(cgroup):
                try:
                    pids.update(int(p) for p in (member / "cgroup.procs").read_text().split())
                except OSError:
                    pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(pids)


def remove(parent: str, timeout: float = 10) -> None:
    """SIGKILL whatever still runs under the parent, then rmdir its subtree in every hierarchy."""
    deadline = time.monotonic() + timeout
    while pids := tasks(parent):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise HarnessError(f"node: processes {sorted(pids)} survive SIGKILL in cgroup {parent}")
        time.sleep(0.05)
    for hierarchy in hierarchies():
        if not (hierarchy / parent).is_dir():
            continue
        for cgroup in _subtree(hierarchy / parent):
            while True:
                try:
                    cgroup.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as err:  # EBUSY for a moment after the last task exited
                    if time.monotonic() > deadline:
                        raise HarnessError(f"node: cannot remove cgroup {cgroup}: {err.strerror}") from None
                    time.sleep(0.05)
