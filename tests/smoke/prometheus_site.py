"""A stand-in for Prometheus' HTTP API on loopback: /api/v1/targets and /api/v1/rules answer what a
test put into `Answers`, in the shape Prometheus v3 answers (checked against the real one on the node)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest


@dataclass
class Answers:
    targets: list[dict[str, Any]] = field(default_factory=list)  # data.activeTargets
    groups: list[dict[str, Any]] = field(default_factory=list)  # data.groups
    status: int = 200  # anything else: that status with a body that is not JSON


def target(pool: str, address: str, health: str = "up", error: str = "", **labels: str) -> dict[str, Any]:
    return {"scrapePool": pool, "discoveredLabels": {"__address__": address}, "labels": {"instance": address, **labels},
            "health": health, "lastError": error}


def group(name: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "file": f"/etc/prometheus/{name}.yaml", "rules": list(rules)}


def rule(name: str, health: str = "ok", error: str = "", kind: str = "alerting") -> dict[str, Any]:
    return {"name": name, "type": kind, "health": health, "lastError": error}


@dataclass
class FakePrometheus:
    answers: Answers
    url: str


def _handler(answers: Answers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            data = {"/api/v1/targets": lambda: {"activeTargets": answers.targets, "droppedTargets": []},
                    "/api/v1/rules": lambda: {"groups": answers.groups}}.get(path)
            if answers.status != 200 or data is None:
                status, body = (answers.status if data else 404), b"unavailable"
            else:
                status, body = 200, json.dumps({"status": "success", "data": data()}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def prometheus_site() -> Iterator[FakePrometheus]:
    answers = Answers()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answers))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield FakePrometheus(answers, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
