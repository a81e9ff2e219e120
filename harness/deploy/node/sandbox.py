"""The node's own network, mount and UTS namespaces, held open by one idle process.

Like a kind node container without a container engine: `unshare` makes the namespaces, and
everything the node runs is started inside them with `nsenter`. Inside, /run is a fresh tmpfs,
the directories kubelet and containerd write by fixed path are overlays over the host's (writes
land under the clone's cache), and kernel settings kubelet rewrites are covered by plain files.
Removing the sandbox is killing what runs inside: the kernel drops the namespaces, their mounts,
routes, firewall rules and the veth pair with them.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from ...core.errors import HarnessError
from ...tools import nsenter
from ...tools.process import ToolError
from .settings import MASKED_SYSCTLS, NODE_SYSCTLS, OVERLAID, NodeSettings

COMMANDS = ("unshare", "nsenter", "ip", "mount")


class NodeUnavailable(HarnessError):
    """This machine cannot run a real node (no root, a missing command): the kwok nodes still run."""


def require_host(settings: NodeSettings) -> None:
    if os.geteuid() != 0:
        raise NodeUnavailable("a real node needs root (network and mount namespaces); starting the simulated nodes only")
    missing = [name for name in COMMANDS if shutil.which(name) is None]
    if missing:
        raise NodeUnavailable(f"a real node needs {', '.join(missing)} on PATH (Debian: util-linux, iproute2)")
    for target in OVERLAID:
        if settings.state_dir.resolve().is_relative_to(target):
            raise NodeUnavailable(f"the node's state directory {settings.state_dir} lies under {target}, "
                                  "which the node overlays; use a clone outside it")


def ns_inode(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


def holder(settings: NodeSettings) -> int | None:
    """The holder's pid while it runs (a reused pid with another namespace does not count)."""
    try:
        pid, inode = (int(field) for field in settings.holder_file.read_text().split())
    except (OSError, ValueError):
        return None
    return pid if ns_inode(pid) == inode else None


def create(settings: NodeSettings) -> int:
    """Start the holder and prepare the mounts inside; returns the holder's pid."""
    require_host(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    pid = nsenter.hold_namespaces()
    own = ns_inode(os.getpid())
    deadline = time.monotonic() + 5
    while ns_inode(pid) in (None, own):  # until unshare has switched namespaces
        if _reap(pid) or time.monotonic() > deadline:
            raise HarnessError("node: unshare could not create the network and mount namespaces")
        time.sleep(0.01)
    settings.holder_file.write_text(f"{pid} {ns_inode(pid)}\n")
    try:
        nsenter.run_inside(pid, "sh", "-ec", mount_script(settings), what="preparing the node's mounts")
    except ToolError as err:
        destroy(settings)
        raise HarnessError(f"node: {err}") from None
    return pid


def mount_script(settings: NodeSettings) -> str:
    """One shell script for every mount and setting inside (one nsenter instead of dozens)."""
    lines = ["mount -t tmpfs -o mode=0755 tmpfs /run", "mkdir -p /run/netns /run/containerd"]
    for target in OVERLAID:
        upper, work = settings.overlay_dirs(target)
        upper.mkdir(parents=True, exist_ok=True)
        work.mkdir(parents=True, exist_ok=True)
        lines.append(f"mount -t overlay overlay -o lowerdir={target},upperdir={upper},workdir={work} {target}")
    for name in MASKED_SYSCTLS:
        source = Path("/proc/sys") / name
        if source.exists():
            mask = settings.sysctl_mask(name)
            mask.parent.mkdir(parents=True, exist_ok=True)
            mask.write_text(source.read_text())
            lines.append(f"mount --bind {mask} {source}")
    for name, value in NODE_SYSCTLS.items():
        lines.append(f"echo {value} > /proc/sys/{name}")
    lines += [f"hostname {settings.name}", "ip link set lo up"]
    return "\n".join(lines)


def processes(pid: int) -> list[int]:
    """Every process but the holder in the holder's network or mount namespace."""
    def ns(p: str, kind: str) -> str | None:
        try:
            return os.readlink(f"/proc/{p}/ns/{kind}")
        except OSError:
            return None
    net, mnt = ns(str(pid), "net"), ns(str(pid), "mnt")
    return [int(p) for p in os.listdir("/proc")
            if p.isdigit() and int(p) != pid and (ns(p, "net") == net or ns(p, "mnt") == mnt)]


def _signal_until_gone(pids: list[int], sig: signal.Signals, timeout: float) -> list[int]:
    """Send `sig` to each; returns those still alive after `timeout`."""
    for member in pids:
        try:
            os.kill(member, sig)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while True:
        alive = [member for member in pids if not _reap(member) and ns_inode(member) is not None]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def destroy(settings: NodeSettings, timeout: float = 3) -> None:
    """Stop everything inside (TERM, KILL after `timeout`: nothing inside keeps state worth a
    slow shutdown), then the holder: the kernel then
    drops the namespaces with their mounts, links, routes and firewall rules."""
    pid = holder(settings)
    if pid is not None:
        left = _signal_until_gone(processes(pid), signal.SIGTERM, timeout)
        left = _signal_until_gone([*left, *processes(pid)], signal.SIGKILL, 5)
        if left or _signal_until_gone([pid], signal.SIGKILL, 5):
            raise HarnessError(f"node: processes {sorted(left) or [pid]} of the node survived SIGKILL")
    settings.holder_file.unlink(missing_ok=True)


def _reap(pid: int) -> bool:
    """True once the holder has exited. It is our child when this process started it: collect
    it, so that it does not linger as a zombie."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return False
