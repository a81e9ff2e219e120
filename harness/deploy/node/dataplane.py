"""The node's Service proxy and NetworkPolicy enforcer: kube-proxy (iptables) and kube-router
(firewall only: no routing, no proxy), both inside the sandbox, so their iptables and ipset
rules live in the node's network namespace and go with it."""

from __future__ import annotations

from ...tools import netfilter, nsenter
from . import config, daemons
from .agents import agent_kubeconfig, binary
from .daemons import Daemon
from .settings import NodeSettings

# kube-router's own RBAC (cluster/addons/kube-router-rbac.yaml) binds this user; kube-proxy's
# user is the one Kubernetes' bootstrap policy binds to system:node-proxier.
KUBE_ROUTER_USER = "acme:kube-router"
KUBE_PROXY_USER = "system:kube-proxy"
KUBE_ROUTER_HEALTH_PORT = 20244


def _path_env(settings: NodeSettings) -> dict[str, str]:
    # iptables, ip6tables and ipset from Debian (the kube-router family installs them).
    return {"PATH": f"{settings.cluster.project.root / '.tools' / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin"}


def _chains(holder: int, table: str) -> set[str]:
    """The iptables chains of `table` in the node's namespace (`:NAME POLICY [counters]` lines)."""
    rules = netfilter.dump(nsenter.inside(holder, "iptables-save", "-t", table))
    return {line[1:].split()[0] for line in rules if line.startswith(":")}


def start_kube_proxy(settings: NodeSettings, holder: int) -> None:
    """Ready once its Service chains exist: Services then answer on their cluster IPs in the node."""
    kubeconfig = agent_kubeconfig(settings, "kube-proxy", KUBE_PROXY_USER)
    conf = settings.state_dir / "kube-proxy" / "config.yaml"
    text = config.kube_proxy_yaml(settings, kubeconfig)
    # kube-proxy watches its configuration file and exits on any write to it, so a second
    # `cluster up` must leave an unchanged file alone (it once left every Service without a proxy).
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    daemons.start(settings, holder, Daemon(
        "kube-proxy", [binary(settings, "kube-proxy"), "--config", str(conf)],
        lambda: "KUBE-SERVICES" in _chains(holder, "nat"), timeout=60, env=_path_env(settings)))


def start_kube_router(settings: NodeSettings, holder: int) -> None:
    """Ready once its policy chains exist: from then on every NetworkPolicy is enforced on the node."""
    kubeconfig = agent_kubeconfig(settings, "kube-router", KUBE_ROUTER_USER)
    daemons.start(settings, holder, Daemon(
        "kube-router", [binary(settings, "kube-router"), f"--kubeconfig={kubeconfig}",
                        f"--hostname-override={settings.name}", "--run-firewall=true", "--run-router=false",
                        "--run-service-proxy=false", "--enable-ipv4=true", "--enable-ipv6=false",
                        "--enable-cni=false", "--metrics-port=0", f"--health-port={KUBE_ROUTER_HEALTH_PORT}"],
        lambda: "KUBE-ROUTER-FORWARD" in _chains(holder, "filter"), timeout=60, env=_path_env(settings)))
