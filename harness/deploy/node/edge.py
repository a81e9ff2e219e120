"""The local cluster's edge as the HTTP checks reach it: Traefik's host ports on the node's address
(every public host shares it, like a load balancer's), the local CA trusted."""

from __future__ import annotations

from kubernetes import client

from ...live.settings import HttpSettings
from ..cluster.settings import ClusterSettings
from . import addons, lifecycle
from .settings import NodeSettings

EDGE = next(addon for addon in addons.ADDONS if addon.name == "traefik")


def http_settings(cluster: ClusterSettings, api: client.ApiClient) -> HttpSettings | None:
    """None unless the real node runs and its edge is available: then there is no data plane."""
    node = NodeSettings(cluster)
    if not lifecycle.status(node).running or EDGE.deployment is None:
        return None
    if not addons.available(api, *EDGE.deployment):
        return None
    return HttpSettings(connect_to=node.node_ip, ca_file=str(cluster.tls_ca_dir / "ca.crt"))
