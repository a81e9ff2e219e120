"""Names, addresses and paths of the real node, all derived from the cluster's port so that two
clones on one machine (each with its own ACME_CLUSTER_PORT) get two sandboxes that never meet."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ..cluster.settings import ClusterSettings

# Host directories kubelet, containerd and the CNI plugins write to by fixed path. Inside the
# node's mount namespace each is an overlay whose writes land under the clone's cache.
OVERLAID = ("/etc", "/var/lib", "/var/log", "/opt")
# Kernel settings that are not per network namespace but that kubelet rewrites at start
# (vm.overcommit_memory, kernel.panic, ...): inside the mount namespace each /proc/sys file is
# covered by a plain file, so kubelet's write never reaches the host's kernel.
MASKED_SYSCTLS = (
    "vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes",
)
# Per network namespace, so set inside the node's own: pods are routed and bridged there.
NODE_SYSCTLS = {
    "net/ipv4/ip_forward": "1",
    "net/bridge/bridge-nf-call-iptables": "1",
    "net/bridge/bridge-nf-call-ip6tables": "1",
    # The node is IPv4 only: no link-local IPv6 path around the IPv4 routing rules.
    "net/ipv6/conf/all/disable_ipv6": "1",
    "net/ipv6/conf/default/disable_ipv6": "1",
}
# Pods' packets are looked up in this table (via an `iif` rule): it knows the pod network and
# nothing else, so a pod reaches the node and other pods but never the host or beyond.
POD_ROUTE_TABLE = 250


# kube-apiserver's default --service-cluster-ip-range (kwokctl sets none): the `kubernetes`
# Service takes its first address, the cluster DNS the tenth, as kubeadm clusters do.
SERVICE_NETWORK = ipaddress.IPv4Network("10.0.0.0/24")


@dataclass(frozen=True)
class NodeSettings:
    cluster: ClusterSettings
    name: str = "acme-node"

    @classmethod
    def from_env(cls) -> "NodeSettings":
        return cls(ClusterSettings.from_env())

    @property
    def index(self) -> int:
        """1..254: the third octet of every node address; a clash with the host is refused at up."""
        return self.cluster.port % 254 + 1

    @property
    def link_network(self) -> ipaddress.IPv4Network:
        """The veth pair between host and node: .1 on the host end, .2 on the node end."""
        return ipaddress.IPv4Network(f"10.250.{self.index}.0/30")

    @property
    def host_ip(self) -> str:
        return str(self.link_network.network_address + 1)

    @property
    def node_ip(self) -> str:
        return str(self.link_network.network_address + 2)

    @property
    def pod_network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(f"10.251.{self.index}.0/24")

    @property
    def api_service_ip(self) -> str:
        return str(SERVICE_NETWORK.network_address + 1)

    @property
    def cluster_dns(self) -> str:
        return str(SERVICE_NETWORK.network_address + 10)

    @property
    def bridge_ip(self) -> str:
        """The pods' gateway, on the bridge the CNI plugin attaches them to."""
        return str(self.pod_network.network_address + 1)

    @property
    def host_link(self) -> str:
        """The host end of the veth pair (15 characters at most, the kernel's limit)."""
        return f"acme-n{self.cluster.port}"

    node_link = "eth0"
    bridge = "cni0"

    @property
    def cgroup_parent(self) -> str:
        """The one cgroup (in every hierarchy) the node's pods live under: kubelet's cgroupRoot."""
        return f"acme-node-{self.cluster.port}"

    @property
    def state_dir(self) -> Path:
        return self.cluster.state("node")

    @property
    def holder_file(self) -> Path:
        """`<pid> <net namespace inode>` of the process that holds the namespaces open."""
        return self.state_dir / "holder"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def overlay_dirs(self, target: str) -> tuple[Path, Path]:
        base = self.state_dir / "overlay" / target.strip("/").replace("/", "-")
        return base / "upper", base / "work"

    def sysctl_mask(self, name: str) -> Path:
        return self.state_dir / "sysctl" / name.replace("/", ".")
