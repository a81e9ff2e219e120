"""The real node's Alertmanager: its configuration, the address Prometheus sends alerts to, the
harness's webhook receiver on the host (where the alert-delivered check listens) and the directory
of synthetic rule files Prometheus reads beside the charts' rules."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ...core.yamlio import dump_yaml
from ...live import alerting
from .settings import NodeSettings

PORT = 9093  # on the node's address (the pod shares the node's network namespace)
RECEIVER_PORT = 9095  # on the host end of the node's link
RULES_MOUNT = "/acme/synthetic-rules"  # where Prometheus' pod sees the synthetic rules directory


def address(settings: NodeSettings) -> str:
    return f"{settings.node_ip}:{PORT}"


def receiver_address(settings: NodeSettings) -> str:
    return f"{settings.host_ip}:{RECEIVER_PORT}"


def rules_dir(settings: NodeSettings) -> Path:
    return settings.state_dir / "synthetic-rules"


def config(settings: NodeSettings) -> dict:
    """Synthetic alerts to the harness's receiver at once, one group per trigger; the charts' alerts to
    no receiver (the local cluster has no one on call, and a receiver that listens only while a check
    runs would fail every other delivery)."""
    return {
        "route": {"receiver": "none", "group_by": ["alertname"], "routes": [{
            "receiver": "harness", "matchers": [f'{alerting.MARK}="true"'], "group_by": ["alertname", "trigger"],
            "group_wait": "0s", "group_interval": "1s", "repeat_interval": "1h"}]},
        "receivers": [{"name": "none"}, {"name": "harness", "webhook_configs": [{
            "url": f"http://{receiver_address(settings)}{alerting.RECEIVER_PATH}", "send_resolved": False}]}],
    }


def placeholders(settings: NodeSettings) -> dict[str, str]:
    text = json.dumps({"alertmanager.yml": dump_yaml(config(settings))}, sort_keys=True)
    return {"config_files": text, "config_checksum": hashlib.sha256(text.encode()).hexdigest(), "port": str(PORT)}
