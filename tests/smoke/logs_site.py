"""A stand-in for VictoriaLogs' query API and its shipper's health on loopback: a LogsQL exact-match
query on `request_id` answers the line the API logged for that id (the ids the loopback site saw,
`Answers.logged`) as the shipper labels it, in the JSON-lines shape VictoriaLogs answers (checked
against the real one on the node); `/shipper/health` is the shipper's. Each step can be turned off."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator

import pytest

from loopback import serving

EXACT = re.compile(r'^"([^"]+)":=(".*")$')  # the one filter form the check sends


@dataclass
class Answers:
    logged: list[str] = field(default_factory=list)  # request ids the API wrote a line for
    status: int = 200  # anything else: the query answers that status with an error text
    ships: bool = True  # False: the shipper never delivers the API's lines
    namespace_lines: bool = True  # False: not one line of the namespace reached the store
    shipper_up: bool = True  # False: the shipper's /health answers 503
    # The fields the shipper adds to the API's line (its pod's namespace, name and labels).
    fields: dict[str, str] = field(default_factory=lambda: {
        "kubernetes.pod_namespace": "acme", "kubernetes.pod_name": "acme-api-0",
        "kubernetes.container_name": "api", "kubernetes.pod_labels.app.kubernetes.io/part-of": "acme",
        "kubernetes.pod_labels.app.kubernetes.io/component": "api"})


@dataclass
class FakeLogStore:
    answers: Answers
    url: str

    @property
    def shipper_url(self) -> str:
        return f"{self.url}/shipper"


def _lines(answers: Answers, logsql: str) -> list[dict[str, Any]]:
    match = EXACT.match(logsql)
    assert match, f"the stand-in understands only exact-match filters, not {logsql!r}"
    name, value = match.group(1), json.loads(match.group(2))
    lines = [{"_msg": "request", "_time": "2026-12-03T17:00:00Z", "request_id": rid, "route": "/healthz/ready",
              **answers.fields} for rid in answers.logged] if answers.ships else []
    if name == "kubernetes.pod_namespace" and answers.namespace_lines:
        lines.append({"_msg": "serving", **answers.fields})
    return [line for line in lines if line.get(name) == value]


def _handler(answers: Answers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path, _, query = self.path.partition("?")
            if path == "/shipper/health":
                status, body = (200, b"OK") if answers.shipper_up else (503, b"unavailable")
            elif path != "/select/logsql/query":
                status, body = 404, b""
            elif answers.status != 200:
                status, body = answers.status, b"cannot execute query: storage is read-only\n"
            else:
                params = urllib.parse.parse_qs(query)
                lines = _lines(answers, params["query"][0])[:int(params["limit"][0])]
                status, body = 200, "".join(json.dumps(line) + "\n" for line in lines).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def log_store() -> Iterator[FakeLogStore]:
    answers = Answers()
    with serving(_handler(answers)) as url:
        yield FakeLogStore(answers, url)
