"""A stand-in for Prometheus' HTTP API on loopback: /api/v1/targets and /api/v1/rules answer what a
test put into `Answers`, in the shape Prometheus v3 answers (checked against the real one on the node).
POST /-/reload reads the rule files of `rules_dir` as Prometheus would, and for each alerting rule
there plays the rest of the path: the alert fires and, when an Alertmanager is configured, is posted
to `webhook` as Alertmanager's webhook notifier posts it; each step can be turned off."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import urllib.request
from pathlib import Path
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator

import pytest
import yaml

from loopback import serving


@dataclass
class Answers:
    targets: list[dict[str, Any]] = field(default_factory=list)  # data.activeTargets
    groups: list[dict[str, Any]] = field(default_factory=list)  # data.groups
    status: int = 200  # anything else: that status with a body that is not JSON
    rules_dir: str = ""  # where reload reads rule files from
    webhook: str = ""  # the receiver's URL the stand-in Alertmanager posts to
    lifecycle: bool = True  # False: reload answers 403, as without --web.enable-lifecycle
    loads: bool = True  # False: reload ignores the rule files (rule_files does not name the directory)
    rule_health: str = "ok"
    rule_error: str = ""
    fires: bool = True
    alertmanagers: list[str] = field(default_factory=lambda: ["http://10.0.0.9:9093/api/v2/alerts"])
    delivers: bool = True  # False: Alertmanager routes the alert elsewhere
    loaded: list[dict[str, Any]] = field(default_factory=list)  # groups from rules_dir at the last reload


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
                    "/api/v1/rules": lambda: {"groups": answers.groups + answers.loaded},
                    "/api/v1/alerts": lambda: {"alerts": _alerts(answers)},
                    "/api/v1/alertmanagers": lambda: {"activeAlertmanagers": [{"url": u} for u in answers.alertmanagers],
                                                      "droppedAlertmanagers": []}}.get(path)
            if answers.status != 200 or data is None:
                status, body = (answers.status if data else 404), b"unavailable"
            else:
                status, body = 200, json.dumps({"status": "success", "data": data()}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            if answers.status != 200:
                status, body = answers.status, b"unavailable"
            elif self.path != "/-/reload" or not answers.lifecycle:
                status, body = (403, b"Lifecycle API is not enabled.") if self.path == "/-/reload" else (404, b"")
            else:  # noqa: PLR5501 (three answers, one per branch)
                status, body = 200, b""
                _reload(answers)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _alerts(answers: Answers) -> list[dict[str, Any]]:
    if not answers.fires or answers.rule_health != "ok":
        return []
    return [{"labels": {"alertname": r["name"], **r["labels"]}, "state": "firing"}
            for g in answers.loaded for r in g["rules"]]


def _reload(answers: Answers) -> None:
    answers.loaded = []
    if not answers.loads:
        return
    for path in sorted(Path(answers.rules_dir).glob("*.yaml")):
        for g in yaml.safe_load(path.read_text())["groups"]:
            answers.loaded.append(group(g["name"], *(
                {**rule(r["alert"], answers.rule_health, answers.rule_error), "labels": r.get("labels") or {}}
                for r in g["rules"])))
    firing = _alerts(answers)
    if firing and answers.alertmanagers:
        # Routed elsewhere, the receiver sees only an alert of another rule.
        sent = firing if answers.delivers else [{"labels": {"alertname": "AcmeApiDown"}}]
        body = json.dumps({"alerts": [{"status": "firing", "labels": a["labels"]} for a in sent]}).encode()
        request = urllib.request.Request(answers.webhook, data=body, headers={"Content-Type": "application/json"})
        threading.Thread(target=lambda: urllib.request.urlopen(request, timeout=5).close(), daemon=True).start()


def free_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def prometheus_site() -> Iterator[FakePrometheus]:
    rules = tempfile.TemporaryDirectory(prefix="acme-synthetic-rules-")
    answers = Answers(rules_dir=rules.name)
    try:
        with serving(_handler(answers)) as url:
            yield FakePrometheus(answers, url)
    finally:
        rules.cleanup()
