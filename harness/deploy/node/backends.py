"""The local cluster's observability backends as the smoke checks reach them: the real node's
Prometheus on the node's address, once its add-on is available."""

from __future__ import annotations

from kubernetes import client

from ...live.settings import ObservabilitySettings
from ..cluster.settings import ClusterSettings
from . import addons, lifecycle, monitoring
from .settings import NodeSettings

PROMETHEUS = next(addon for addon in addons.ADDONS if addon.name == "prometheus")


def observability_settings(cluster: ClusterSettings, api: client.ApiClient) -> ObservabilitySettings:
    """Empty (the checks skip) unless the real node runs and its Prometheus is available."""
    node = NodeSettings(cluster)
    if not lifecycle.status(node).running or PROMETHEUS.deployment is None:
        return ObservabilitySettings()
    if not addons.available(api, *PROMETHEUS.deployment):
        return ObservabilitySettings()
    return ObservabilitySettings(prometheus_url=monitoring.base_url(node))
