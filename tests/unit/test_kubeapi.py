"""The small kubeconfig client: TLS with the kubeconfig's CA, bearer token, JSON back."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import trustme
import yaml

from harness.core.kubeapi import UnsupportedKubeconfig, json_getter


class OpenAPIHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        ok = self.headers.get("Authorization") == "Bearer s3cr3t" and self.path == "/openapi/v3"
        body = json.dumps({"paths": {"api/v1": {}}} if ok else {"message": "forbidden"}).encode()
        self.send_response(200 if ok else 403)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def api_server(authority) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), OpenAPIHandler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def kubeconfig(path: Path, server: str, ca_pem: bytes, user: dict) -> Path:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "c", "cluster": {"server": server,
                                               "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
        "contexts": [{"name": "test", "context": {"cluster": "c", "user": "u"}}],
        "users": [{"name": "u", "user": user}],
    }))
    return path


def test_get_with_token_and_ca(tmp_path, authority, api_server):
    config = kubeconfig(tmp_path / "kubeconfig", api_server, authority.cert_pem.bytes(), {"token": "s3cr3t"})
    assert json_getter(config)("/openapi/v3") == {"paths": {"api/v1": {}}}


def test_exec_credentials_are_left_to_the_official_client(tmp_path, authority):
    config = kubeconfig(tmp_path / "kubeconfig", "https://127.0.0.1:1", authority.cert_pem.bytes(),
                        {"exec": {"command": "get-token"}})
    with pytest.raises(UnsupportedKubeconfig):
        json_getter(config)
