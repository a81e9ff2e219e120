"""The real node's sandbox: made and removed by the harness, it leaves the host as it found it,
and nothing inside it has a way out of the machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from harness.core.project import Project
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node import hoststate, lifecycle, network, sandbox
from harness.tools import nsenter
from harness.deploy.node.settings import NodeSettings

ROOT = Path(__file__).resolve().parents[2]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="covered by test_without_root_one_line_and_exit_2")


@pytest.fixture
def node_settings(tmp_path: Path) -> NodeSettings:
    """A sandbox of its own: another port (so other addresses) than a node this clone may be running."""
    port = ClusterSettings.from_env().port + 127
    return NodeSettings(ClusterSettings(Project(tmp_path), port=port))


def host_state(settings: NodeSettings) -> dict[str, list[str]]:
    return hoststate.snapshot(settings.host_link, settings.cgroup_parent)


@pytest.fixture
def node(node_settings: NodeSettings) -> Iterator[NodeSettings]:
    lifecycle.up(node_settings)
    yield node_settings
    lifecycle.down(node_settings)


def in_node(settings: NodeSettings, *argv: str) -> subprocess.CompletedProcess[str]:
    pid = sandbox.holder(settings)
    assert pid is not None, "the node's sandbox is not running"
    return subprocess.run(nsenter.inside(pid, *argv), capture_output=True, text=True, timeout=30)


@needs_root
def test_host_unchanged_after_up_and_down(node_settings: NodeSettings) -> None:
    before = host_state(node_settings)
    lifecycle.up(node_settings)
    try:
        during = host_state(node_settings)
    finally:
        lifecycle.down(node_settings)
    after = host_state(node_settings)
    assert hoststate.differences(before, after) == []
    # The snapshot does see the node: its host end, its /30 and its cgroup parent.
    changed = hoststate.differences(before, during)
    assert f"addresses: + {node_settings.host_link} {node_settings.host_ip}/30" in changed
    assert any(line.startswith("routes: + ") and str(node_settings.link_network) in line for line in changed)
    assert any(line.startswith("cgroups: + ") and node_settings.cgroup_parent in line for line in changed)
    assert not [line for line in changed if line.startswith(("sysctls", "mounts", "iptables", "nftables", "rules"))]


@needs_root
def test_up_is_idempotent_and_down_twice_is_harmless(node: NodeSettings) -> None:
    first = sandbox.holder(node)
    assert lifecycle.up(node).holder == first
    lifecycle.down(node)
    assert not lifecycle.status(node).running
    assert not network.host_link_exists(node)
    lifecycle.down(node)


@needs_root
def test_node_has_no_route_out_of_the_machine(node: NodeSettings) -> None:
    routes = in_node(node, "ip", "-4", "route", "show", "table", "all").stdout
    assert "default via" not in routes
    assert in_node(node, "ip", "route", "get", "192.0.2.1").returncode != 0  # TEST-NET-1: any address beyond
    # A pod's packet (from the pod network, in through the bridge) reaches other pods only.
    pod, other_pod = node.pod_network.network_address + 5, node.pod_network.network_address + 6
    allowed = in_node(node, "ip", "route", "get", str(other_pod), "from", str(pod), "iif", node.bridge)
    assert allowed.returncode == 0 and f"dev {node.bridge}" in allowed.stdout
    for outside in (node.host_ip, "192.0.2.1"):
        refused = in_node(node, "ip", "route", "get", outside, "from", str(pod), "iif", node.bridge)
        assert refused.returncode != 0, f"a pod could reach {outside}: {refused.stdout}"


@needs_root
@pytest.mark.skipif(shutil.which("iptables") is None, reason="iptables comes with the kube-router family (make tools)")
def test_only_replies_to_the_hosts_connections_leave_a_pod_for_the_host(node: NodeSettings) -> None:
    pid = sandbox.holder(node)
    assert pid is not None
    network.admit_replies(node, pid)
    network.admit_replies(node, pid)  # idempotent: one rule each, however often the node joins
    rules = in_node(node, "iptables-save", "-t", "mangle").stdout
    assert rules.count("CONNMARK --set-xmark") == 1 and rules.count("CONNMARK --restore-mark") == 1, rules
    assert in_node(node, "ip", "rule", "show", "priority", str(network.HOST_REPLY_RULE_PRIORITY)).stdout.count("\n") == 1
    pod = str(node.pod_network.network_address + 5)
    mark = network.HOST_CONNECTION_MARK
    # a reply carries the connection's mark back out of the pod: routed to the host end
    reply = in_node(node, "ip", "route", "get", node.host_ip, "from", pod, "iif", node.bridge, "mark", mark)
    assert reply.returncode == 0 and f"dev {node.node_link}" in reply.stdout, reply.stdout + reply.stderr
    # the pod's own packets carry no mark: still nowhere beyond the node
    own = in_node(node, "ip", "route", "get", node.host_ip, "from", pod, "iif", node.bridge)
    assert own.returncode != 0, own.stdout


@needs_root
def test_kernel_settings_stay_inside(node_settings: NodeSettings) -> None:
    """Forwarding is on for the node only; a write to a global setting (kubelet's kernel.panic) lands in a file."""
    names = ("net/ipv4/ip_forward", "kernel/panic")
    host_before = {name: Path("/proc/sys", name).read_text() for name in names}
    lifecycle.up(node_settings)
    try:
        assert in_node(node_settings, "cat", "/proc/sys/net/ipv4/ip_forward").stdout == "1\n"
        wrote = in_node(node_settings, "sh", "-c", "echo 17 > /proc/sys/kernel/panic && cat /proc/sys/kernel/panic")
        assert wrote.stdout == "17\n", wrote.stderr
        assert node_settings.sysctl_mask("kernel/panic").read_text() == "17\n"
        assert {name: Path("/proc/sys", name).read_text() for name in names} == host_before
    finally:
        lifecycle.down(node_settings)


@needs_root
def test_fixed_host_paths_are_private(node: NodeSettings) -> None:
    probe = "/var/lib/kubelet/device-plugins/acme-probe"
    assert in_node(node, "sh", "-c", f"mkdir -p {Path(probe).parent} && touch {probe} /run/containerd/probe").returncode == 0
    assert not Path(probe).exists() and not Path("/run/containerd/probe").exists()
    upper, _ = node.overlay_dirs("/var/lib")
    assert (upper / "kubelet" / "device-plugins" / "acme-probe").exists()


@needs_root
def test_clash_with_a_host_network_is_refused(node: NodeSettings, tmp_path: Path) -> None:
    """A second clone whose port maps to the same addresses gets one clear line, and the first keeps running."""
    twin = NodeSettings(ClusterSettings(Project(tmp_path / "twin"), port=node.cluster.port + 254))
    assert twin.index == node.index
    with pytest.raises(sandbox.HarnessError, match=r"overlaps the node's .*set ACME_CLUSTER_PORT"):
        lifecycle.up(twin)
    assert not lifecycle.status(twin).running and lifecycle.status(node).running


def test_without_root_one_line_and_exit_2(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    else:
        argv = [sys.executable]
    done = subprocess.run([*argv, "-m", "harness", "node", "up"], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "ACME_ROOT": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("harness node up: error: a real node needs root (network and mount namespaces); "
                           "starting the simulated nodes only\n")
