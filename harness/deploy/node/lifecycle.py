"""Start, stop and describe the real node's sandbox; every operation is idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import cgroups, network, sandbox
from .settings import NodeSettings


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    holder: int | None
    node_ip: str
    ready_after: float | None = None  # seconds from kubelet's start to the Node's Ready
    # add-on Deployment -> seconds from its apply to Available
    available_after: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        state = f"running (namespaces held by pid {self.holder})" if self.running else "absent"
        lines = [f"real node: {state}", f"node address: {self.node_ip}"]
        if self.ready_after is not None:
            lines.append(f"real node Ready: {self.ready_after:.1f} s after kubelet started")
        lines += [f"{name} Available: {seconds:.1f} s after it was applied"
                  for name, seconds in self.available_after.items()]
        return lines


def up(settings: NodeSettings) -> NodeStatus:
    """Create the sandbox unless it runs; raises sandbox.NodeUnavailable where a node cannot run."""
    sandbox.require_host(settings)
    if sandbox.holder(settings) is None:
        _remove_leftovers(settings)
        pid = sandbox.create(settings)
        try:
            cgroups.create(settings.cgroup_parent)
            network.connect(settings, pid)
        except Exception:
            down(settings)
            raise
    return status(settings)


def down(settings: NodeSettings) -> NodeStatus:
    """Stop everything of the node: its processes and namespaces, then what is left in its cgroups
    (containers live in namespaces of their own)."""
    sandbox.destroy(settings)
    cgroups.remove(settings.cgroup_parent)
    network.wait_gone(settings)
    return status(settings)


def _remove_leftovers(settings: NodeSettings) -> None:
    """A holder killed from outside leaves nothing in the kernel but may leave cgroups."""
    cgroups.remove(settings.cgroup_parent)
    network.wait_gone(settings)


def status(settings: NodeSettings) -> NodeStatus:
    pid = sandbox.holder(settings)
    return NodeStatus(pid is not None, pid, settings.node_ip)
