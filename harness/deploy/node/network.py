"""The node's links: a veth pair from the host into the node's namespace, and the pods' bridge.

The host end gets one address on a /30; the host learns no other route. Inside, the node has no
default route (nothing leaves the machine through it) and pods' packets are routed by a table
that holds only the pod network, so a pod reaches the node and other pods, never the host.
"""

from __future__ import annotations

import ipaddress
import time

from ...core.errors import HarnessError
from ...tools import iproute, nsenter
from ...tools.process import ToolError
from .settings import POD_ROUTE_TABLE, NodeSettings


def refuse_clash(settings: NodeSettings) -> None:
    """The node's networks must be new to the host: no address or route of the host may touch them."""
    ours = (ipaddress.IPv4Network(f"10.250.{settings.index}.0/24"), settings.pod_network)
    for link in iproute.read("addr", "show"):
        for addr in link.get("addr_info", []):
            if addr.get("family") == "inet":
                net = ipaddress.IPv4Interface(f"{addr['local']}/{addr['prefixlen']}").network
                if any(net.overlaps(mine) for mine in ours):
                    raise HarnessError(f"node: {net} on host interface {link['ifname']} overlaps the node's "
                                       f"{', '.join(map(str, ours))}; set ACME_CLUSTER_PORT to another port")
    for route in iproute.read("route", "show", "table", "all"):
        dst = route.get("dst", "")
        if dst and dst != "default" and ":" not in dst and not dst.startswith(("fe80", "ff00")):
            try:
                net = ipaddress.IPv4Network(dst if "/" in dst else f"{dst}/32", strict=False)
            except ValueError:
                continue
            if any(net.overlaps(mine) for mine in ours):
                raise HarnessError(f"node: the host already routes {dst} (dev {route.get('dev', '?')}), which overlaps "
                                   f"the node's networks; set ACME_CLUSTER_PORT to another port")


def connect(settings: NodeSettings, pid: int) -> None:
    """Create the veth pair and the bridge; every address the node uses is set here."""
    refuse_clash(settings)
    try:
        _connect(settings, pid)
    except ToolError as err:
        raise HarnessError(f"node: {err}") from None


def _connect(settings: NodeSettings, pid: int) -> None:
    prefix = settings.link_network.prefixlen
    iproute.change("link", "add", settings.host_link, "type", "veth", "peer", "name", settings.node_link,
                   "netns", str(pid), what=f"creating the veth pair {settings.host_link}")
    iproute.change("addr", "add", f"{settings.host_ip}/{prefix}", "dev", settings.host_link,
                   what="addressing the host end")
    # No IPv6 link-local address on the host end: the node talks to the host over its /30 only.
    iproute.change("link", "set", settings.host_link, "addrgenmode", "none", what="configuring the host end")
    iproute.change("link", "set", settings.host_link, "up", what="bringing the host end up")
    pods = settings.pod_network
    script = "\n".join([
        f"ip addr add {settings.node_ip}/{prefix} dev {settings.node_link}",
        f"ip link set {settings.node_link} up",
        f"ip link add {settings.bridge} type bridge",
        f"ip addr add {settings.bridge_ip}/{pods.prefixlen} dev {settings.bridge}",
        f"ip link set {settings.bridge} up",
        f"ip route add {pods} dev {settings.bridge} table {POD_ROUTE_TABLE}",
        f"ip route add unreachable default table {POD_ROUTE_TABLE}",
        f"ip rule add iif {settings.bridge} lookup {POD_ROUTE_TABLE} priority 100",
    ])
    nsenter.run_inside(pid, "sh", "-ec", script, what="addressing the node's links")


def host_link_exists(settings: NodeSettings) -> bool:
    return iproute.link_exists(settings.host_link)


def wait_gone(settings: NodeSettings, timeout: float = 5) -> None:
    """The kernel drops the veth pair with the node's namespace, a moment after its last process."""
    deadline = time.monotonic() + timeout
    while host_link_exists(settings):
        if time.monotonic() > deadline:
            # Still held (a namespace pinned elsewhere): the link is ours by name, remove it.
            iproute.change("link", "del", settings.host_link, what=f"removing the host end {settings.host_link}")
            return
        time.sleep(0.02)


# A connection mark bit no agent uses (kube-proxy takes 0x4000 and 0x8000, kube-router 0x10000
# to 0x30000): set on connections the host opens into the node.
HOST_CONNECTION_MARK = "0x400000"
HOST_REPLY_RULE_PRIORITY = 90


def admit_replies(settings: NodeSettings, pid: int) -> None:
    """Let pods answer connections the host opened (the edge's host ports): such connections are
    marked where they enter (the veth), their replies carry the mark again when they leave a pod,
    and only marked packets may use the node's main table, which routes to the host end. A pod's
    own connections are never marked, so they still reach nothing beyond the node. Idempotent."""
    mark = f"{HOST_CONNECTION_MARK}/{HOST_CONNECTION_MARK}"
    rules = [
        ("-i", settings.node_link, "-m", "conntrack", "--ctstate", "NEW", "-j", "CONNMARK", "--set-mark", mark),
        ("-i", settings.bridge, "-j", "CONNMARK", "--restore-mark", "--mask", HOST_CONNECTION_MARK),
    ]
    lines = []
    for rule in rules:
        spec = " ".join(rule)
        lines.append(f"iptables -t mangle -C PREROUTING {spec} 2>/dev/null || iptables -t mangle -A PREROUTING {spec}")
    lines.append(f"ip rule show priority {HOST_REPLY_RULE_PRIORITY} | grep -q . || "
                 f"ip rule add fwmark {mark} lookup main priority {HOST_REPLY_RULE_PRIORITY}")
    try:
        nsenter.run_inside(pid, "sh", "-ec", "\n".join(lines), what="routing the node's replies to the host")
    except ToolError as err:
        raise HarnessError(f"node: {err}") from None
