"""The real node's log store and shipper (cluster/addons/victoria-logs.yaml, vlagent.yaml): their ports
and the addresses the logs-shipped check reaches them on, host ports on the node's address."""

from __future__ import annotations

from .settings import NodeSettings

STORE_PORT = 9428  # VictoriaLogs' HTTP API: LogsQL queries, native ingestion (its default port)
SHIPPER_PORT = 9429  # vlagent's HTTP listener: /health (its default port)


def store_url(settings: NodeSettings) -> str:
    return f"http://{settings.node_ip}:{STORE_PORT}"


def shipper_url(settings: NodeSettings) -> str:
    return f"http://{settings.node_ip}:{SHIPPER_PORT}"


def store_placeholders(settings: NodeSettings) -> dict[str, str]:
    return {"port": str(STORE_PORT)}


def shipper_placeholders(settings: NodeSettings) -> dict[str, str]:
    return {"port": str(SHIPPER_PORT), "store_port": str(STORE_PORT)}
