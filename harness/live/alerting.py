"""A synthetic alert end to end: a rule file that fires at once, written where the environment's
Prometheus reads rule files, and a webhook receiver that records what Alertmanager delivers.

Each trigger carries its own id (label `trigger`), so a delivery is known to answer this trigger
and not an earlier one; Alertmanager groups by it, so each trigger is a new group, sent at once.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from ..core.yamlio import dump_yaml

ALERT = "AcmeSyntheticAlert"
# The label Alertmanager routes synthetic alerts by (to the harness's receiver, never to on-call).
MARK = "acme_synthetic"
RECEIVER_PATH = "/alerts"


def new_trigger() -> str:
    return uuid.uuid4().hex[:12]


def group_name(trigger: str) -> str:
    return f"acme-synthetic-{trigger}"


def rule_file(trigger: str) -> dict:
    """One group evaluated every second whose one alert fires from its first evaluation."""
    return {"groups": [{"name": group_name(trigger), "interval": "1s", "rules": [{
        "alert": ALERT, "expr": "vector(1)",
        "labels": {MARK: "true", "trigger": trigger, "severity": "info"},
        "annotations": {"summary": "synthetic alert: proves rule evaluation reaches the Alertmanager receiver"}}]}]}


def install(directory: str | Path, trigger: str) -> Path:
    path = Path(directory) / f"{group_name(trigger)}.yaml"
    path.write_text(dump_yaml(rule_file(trigger)))
    return path


class Receiver:
    """Alertmanager's webhook receiver while the `with` block runs: the time each alert arrived."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.alerts: list[tuple[float, dict]] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                except ValueError:
                    body = {}
                with receiver._arrived:
                    receiver.alerts += [(time.monotonic(), a) for a in body.get("alerts") or [] if isinstance(a, dict)]
                    receiver._arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer((host, int(port)), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def wait_for(self, trigger: str, seconds: float) -> float | None:
        """When the firing alert of `trigger` arrived, waiting up to `seconds`; None if it did not."""
        deadline = time.monotonic() + seconds
        with self._arrived:
            while True:
                hit = next((t for t, a in self.alerts if a.get("status") == "firing"
                            and (a.get("labels") or {}).get("trigger") == trigger), None)
                left = deadline - time.monotonic()
                if hit is not None or left <= 0:
                    return hit
                self._arrived.wait(left)
