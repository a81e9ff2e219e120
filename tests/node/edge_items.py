"""The API's items resource through the edge, as a client writes and reads it: one keep-alive TLS
connection to the node's edge address with api.acme.com as SNI and Host."""

from __future__ import annotations

import http.client
import json
import secrets
import socket
from contextlib import contextmanager
from typing import Iterator

from kubernetes import client

from harness.deploy.node.edge import http_settings
from harness.live.httpprobe import _tls_context

HOST = "api.acme.com"


@contextmanager
def _connection(cluster, api: client.ApiClient) -> Iterator[http.client.HTTPConnection]:
    settings = http_settings(cluster, api)
    assert settings is not None, "the edge is not available on the real node"
    sock = _tls_context(settings).wrap_socket(socket.create_connection((settings.connect_to, 443), timeout=10),
                                              server_hostname=HOST)
    conn = http.client.HTTPConnection(HOST, 443, timeout=10)
    conn.sock = sock
    try:
        yield conn
    finally:
        conn.close()


def _call(conn: http.client.HTTPConnection, method: str, body: str | None = None) -> tuple[int, bytes]:
    conn.request(method, "/v1/items", body=body, headers={"Host": HOST, "Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, answer.read()


def post_items(cluster, api: client.ApiClient, count: int) -> list[dict]:
    """`count` new items (the API writes them to PostgreSQL); the rows it answered with."""
    written = []
    with _connection(cluster, api) as conn:
        for _ in range(count):
            status, body = _call(conn, "POST", json.dumps({"name": secrets.token_hex(16)}))
            assert status in (200, 201), f"POST /v1/items answered {status}"
            written.append(json.loads(body))
    return written


def list_items(cluster, api: client.ApiClient) -> list[dict]:
    with _connection(cluster, api) as conn:
        status, body = _call(conn, "GET")
    assert status == 200, f"GET /v1/items answered {status}: {body[:200]!r}"
    return json.loads(body)["items"]
