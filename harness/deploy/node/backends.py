"""The local cluster's observability backends as the smoke checks reach them: the real node's
Prometheus on the node's address once its add-on is available, with its Alertmanager the synthetic
rules directory and the receiver's address on the host, and the log store and its shipper once
theirs are."""

from __future__ import annotations

from kubernetes import client

from ...live.settings import ObservabilitySettings
from ..cluster.settings import ClusterSettings
from . import addons, alertmanager, lifecycle, log_store, monitoring
from .settings import NodeSettings

PROMETHEUS, ALERTMANAGER, LOG_STORE, LOG_SHIPPER = (next(addon for addon in addons.ADDONS if addon.name == name)
                                                    for name in ("prometheus", "alertmanager", "victoria-logs", "vlagent"))


def observability_settings(cluster: ClusterSettings, api: client.ApiClient) -> ObservabilitySettings:
    """Empty (the checks skip) unless the real node runs; each backend only once its add-on is available."""
    node = NodeSettings(cluster)
    if not lifecycle.status(node).running:
        return ObservabilitySettings()
    found: dict[str, str] = {}
    if _available(api, PROMETHEUS):
        found["prometheus_url"] = monitoring.base_url(node)
        if _available(api, ALERTMANAGER):
            found.update(synthetic_rules_dir=str(alertmanager.rules_dir(node)),
                         receiver_address=alertmanager.receiver_address(node))
    if _available(api, LOG_STORE):
        found["logs_url"] = log_store.store_url(node)
        # the shipper's address even when it is not available: the check then names it not running
        found["log_shipper_url"] = log_store.shipper_url(node)
    return ObservabilitySettings(**found)


def _available(api: client.ApiClient, addon: addons.Addon) -> bool:
    return addon.deployment is not None and addons.available(api, *addon.deployment)
