"""A snapshot of what a node could change on the host: links, addresses, routes and rules,
firewall rules, mounts, cgroups and the kernel settings kubelet and kube-proxy touch.

`cluster down` must leave the host as `cluster up` found it; the node tests take one snapshot
before and one after and compare them. Other clones' sandboxes on the same machine (links
`acme-n<port>`, cgroups `acme-node-<port>` of another port) and the cgroups the machine's own
process tracker makes come and go on their own, so they are left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ...tools import iproute, netfilter
from . import cgroups

SYSCTLS = (
    # kubelet
    "vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes",
    # kube-proxy, kube-router and the bridge
    "net/ipv4/ip_forward", "net/ipv4/conf/all/forwarding", "net/ipv6/conf/all/forwarding",
    "net/ipv4/conf/all/route_localnet", "net/ipv4/conf/all/rp_filter",
    "net/bridge/bridge-nf-call-iptables", "net/bridge/bridge-nf-call-ip6tables",
    "net/netfilter/nf_conntrack_max", "net/netfilter/nf_conntrack_tcp_timeout_established",
    "net/netfilter/nf_conntrack_tcp_timeout_close_wait",
)
# Route and link fields that describe configuration (not counters, timers or kernel caches).
ROUTE_KEYS = ("type", "dst", "gateway", "dev", "table", "protocol", "scope", "prefsrc", "metric")
LINK_KEYS = ("ifname", "link_type", "address", "mtu", "master", "flags")
FOREIGN_LINK = re.compile(r"^acme-n\d+$")
FOREIGN_CGROUP = re.compile(r"^acme-node-\d+$")
MACHINE_CGROUPS = {"process_api"}


def snapshot(own_link: str, own_cgroup: str) -> dict[str, list[str]]:
    def foreign_link(name: str | None) -> bool:
        return bool(name) and name != own_link and bool(FOREIGN_LINK.match(name))

    links = [json.dumps({k: link.get(k) for k in LINK_KEYS}, sort_keys=True)
             for link in iproute.read("link", "show") if not foreign_link(link["ifname"])]
    addresses = [f"{link['ifname']} {a['local']}/{a['prefixlen']}" for link in iproute.read("addr", "show")
                 if not foreign_link(link["ifname"]) for a in link.get("addr_info", [])]
    routes = [json.dumps({k: r.get(k) for k in ROUTE_KEYS}, sort_keys=True)
              for family in ("-4", "-6") for r in iproute.read(family, "route", "show", "table", "all")
              if not foreign_link(r.get("dev"))]
    rules = [json.dumps(r, sort_keys=True) for family in ("-4", "-6") for r in iproute.read(family, "rule", "show")]
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        sep = fields.index("-")
        mounts.append(" ".join([fields[4], fields[sep + 1], fields[sep + 2], fields[5]]))
    cgroup_dirs = []
    for hierarchy in cgroups.hierarchies():
        for child in sorted(p for p in hierarchy.iterdir() if p.is_dir()):
            if child.name in MACHINE_CGROUPS or (child.name != own_cgroup and FOREIGN_CGROUP.match(child.name)):
                continue
            cgroup_dirs.append(str(child))
    sysctls = []
    for name in SYSCTLS:
        path = Path("/proc/sys") / name
        sysctls.append(f"{name} = {path.read_text().strip() if path.exists() else '(absent)'}")
    return {
        "links": sorted(links), "addresses": sorted(addresses), "routes": sorted(routes), "rules": sorted(rules),
        "iptables": netfilter.dump(["iptables-save"]), "ip6tables": netfilter.dump(["ip6tables-save"]),
        "nftables": netfilter.dump(["nft", "list", "ruleset"]),
        "mounts": sorted(mounts), "cgroups": cgroup_dirs, "sysctls": sysctls,
    }


def differences(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """`section: - line` / `section: + line` for every difference, empty when the host is unchanged."""
    lines = []
    for section in before:
        gone = [f"{section}: - {line}" for line in before[section] if line not in after.get(section, [])]
        new = [f"{section}: + {line}" for line in after.get(section, []) if line not in before[section]]
        lines += gone + new
    return lines
