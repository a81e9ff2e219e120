"""The local cluster's observability backends as the smoke checks reach them: the real node's
Prometheus on the node's address once its add-on is available, and with its Alertmanager the
synthetic rules directory and the receiver's address on the host."""

from __future__ import annotations

from kubernetes import client

from ...live.settings import ObservabilitySettings
from ..cluster.settings import ClusterSettings
from . import addons, alertmanager, lifecycle, monitoring
from .settings import NodeSettings

PROMETHEUS, ALERTMANAGER = (next(addon for addon in addons.ADDONS if addon.name == name)
                            for name in ("prometheus", "alertmanager"))


def observability_settings(cluster: ClusterSettings, api: client.ApiClient) -> ObservabilitySettings:
    """Empty (the checks skip) unless the real node runs and its Prometheus is available."""
    node = NodeSettings(cluster)
    if not lifecycle.status(node).running or not _available(api, PROMETHEUS):
        return ObservabilitySettings()
    if not _available(api, ALERTMANAGER):
        return ObservabilitySettings(prometheus_url=monitoring.base_url(node))
    return ObservabilitySettings(prometheus_url=monitoring.base_url(node),
                                 synthetic_rules_dir=str(alertmanager.rules_dir(node)),
                                 receiver_address=alertmanager.receiver_address(node))


def _available(api: client.ApiClient, addon: addons.Addon) -> bool:
    return addon.deployment is not None and addons.available(api, *addon.deployment)
