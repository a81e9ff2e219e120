"""Configuration files of the node's agents, written under .cache/node and read inside the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .settings import NodeSettings

CNI_NETWORK = "acme-node"


def containerd_toml(settings: NodeSettings, tools: Path, pause_image: str) -> str:
    """containerd 2.3 (config version 4): sockets on the sandbox's /run, images and snapshots
    under the clone's cache. In this version the sockets are plugin settings; a top-level
    [grpc] address is ignored."""
    root = settings.state_dir / "containerd" / "root"
    return f"""version = 4
root = "{root}"
state = "/run/containerd/state"
imports = []

[plugins.'io.containerd.server.v1.grpc']
  address = "/run/containerd/containerd.sock"
[plugins.'io.containerd.server.v1.ttrpc']
  address = "/run/containerd/containerd.sock.ttrpc"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "{pause_image}"

[plugins.'io.containerd.cri.v1.runtime']
  # No CAP_SYS_RESOURCE on these machines: never lower a container's oom_score_adj below ours.
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["{tools / 'cni'}"]
    conf_dir = "{settings.state_dir / 'cni' / 'net.d'}"
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "{tools / 'bin' / 'runc'}"
        SystemdCgroup = false

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
"""


def cni_conflist(settings: NodeSettings) -> str:
    """The bridge the sandbox made (cni0, which already holds the gateway address), host-local IPAM
    over the pod network, portmap for hostPort."""
    return json.dumps({
        "cniVersion": "1.0.0", "name": CNI_NETWORK,
        "plugins": [
            {"type": "bridge", "bridge": settings.bridge, "isGateway": True, "ipMasq": False, "hairpinMode": True,
             "ipam": {"type": "host-local", "ranges": [[{"subnet": str(settings.pod_network),
                                                         "gateway": settings.bridge_ip}]],
                      "routes": [{"dst": "0.0.0.0/0"}]}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }, indent=2)


def kubelet_yaml(settings: NodeSettings, client_ca: Path, cluster_dns: str) -> str:
    """cgroup v1 host, no CAP_SYS_RESOURCE: cgroupfs driver, one cgroup root the project owns."""
    return yaml.safe_dump({
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "address": settings.node_ip, "port": 10250, "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1", "healthzPort": 10248,
        "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
        "cgroupDriver": "cgroupfs", "failCgroupV1": False,
        "cgroupsPerQOS": True, "cgroupRoot": f"/{settings.cgroup_parent}", "enforceNodeAllocatable": [],
        "failSwapOn": False,
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True},
                           "x509": {"clientCAFile": str(client_ca)}},
        "authorization": {"mode": "Webhook"},
        "clusterDomain": "cluster.local", "clusterDNS": [cluster_dns],
        "resolvConf": str(settings.state_dir / "resolv.conf"),
        "registerNode": True, "rotateCertificates": False, "serializeImagePulls": False,
        "staticPodPath": "", "podCIDR": str(settings.pod_network),
        # Its default lies under /usr, which the sandbox does not overlay: kubelet would create it on the host.
        "volumePluginDir": str(settings.state_dir / "kubelet" / "volume-plugins"),
        # The machine's disk is shared with its other clones: no image GC or eviction by disk level.
        "imageGCHighThresholdPercent": 100, "evictionHard": {"memory.available": "100Mi"},
    }, sort_keys=False)


def kube_proxy_yaml(settings: NodeSettings, kubeconfig: Path) -> str:
    """iptables mode inside the node's namespace. Every setting that would reach a kernel-wide
    value is off: conntrack sizes and timeouts (0 leaves them as they are) and localhost
    NodePorts (route_localnet)."""
    return yaml.safe_dump({
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(kubeconfig)},
        "mode": "iptables", "hostnameOverride": settings.name, "clusterCIDR": str(settings.pod_network),
        "bindAddress": settings.node_ip, "nodePortAddresses": [f"{settings.node_ip}/32"],
        "healthzBindAddress": "127.0.0.1:10256", "metricsBindAddress": "127.0.0.1:10249",
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s",
                      "udpTimeout": "0s", "udpStreamTimeout": "0s"},
        "iptables": {"localhostNodePorts": False, "masqueradeAll": False},
    }, sort_keys=False)
