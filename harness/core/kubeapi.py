"""Read-only GETs against the API server named by a kubeconfig, without the (slow to import) client.

Covers the kubeconfigs the harness meets in practice: client certificates, bearer tokens,
CA data or files. Exec and auth-provider users raise UnsupportedKubeconfig, and the caller
falls back to the official kubernetes client.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Callable

from .yamlio import load_yaml_file


class UnsupportedKubeconfig(Exception):
    """The kubeconfig needs an auth mechanism this module does not implement."""


def json_getter(kubeconfig: Path, timeout: float = 5.0) -> Callable[[str], dict[str, Any]]:
    config = load_yaml_file(kubeconfig) or {}
    context = _named(config, "contexts", config.get("current-context"))
    cluster = _named(config, "clusters", context.get("cluster"))
    user = _named(config, "users", context.get("user"))
    if "exec" in user or "auth-provider" in user:
        raise UnsupportedKubeconfig("exec/auth-provider credentials")
    base = kubeconfig.parent
    tls = ssl.create_default_context()
    if cluster.get("insecure-skip-tls-verify"):
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    elif "certificate-authority-data" in cluster:
        tls.load_verify_locations(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
    elif "certificate-authority" in cluster:
        tls.load_verify_locations(cafile=str(base / cluster["certificate-authority"]))
    _load_client_certificate(tls, user, base)
    headers = {"Accept": "application/json"}
    token = user.get("token") or (Path(base / user["tokenFile"]).read_text().strip() if "tokenFile" in user else "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls))
    server = str(cluster.get("server", "")).rstrip("/")

    def get(path: str) -> dict[str, Any]:
        with opener.open(urllib.request.Request(server + path, headers=headers), timeout=timeout) as response:
            return json.loads(response.read())

    return get


def _named(config: dict, section: str, name: str | None) -> dict:
    for entry in config.get(section) or []:
        if entry.get("name") == name:
            return entry.get(section[:-1]) or {}
    raise UnsupportedKubeconfig(f"no {section[:-1]} named {name!r}")


def _load_client_certificate(tls: ssl.SSLContext, user: dict, base: Path) -> None:
    if "client-certificate" in user:
        tls.load_cert_chain(str(base / user["client-certificate"]), str(base / user["client-key"]))
    elif "client-certificate-data" in user:
        # ssl only reads key material from files: a private temporary directory, removed at once.
        with tempfile.TemporaryDirectory() as scratch:
            cert, key = Path(scratch, "cert.pem"), Path(scratch, "key.pem")
            for path, field in ((cert, "client-certificate-data"), (key, "client-key-data")):
                path.write_bytes(base64.b64decode(user[field]))
                os.chmod(path, 0o600)
            tls.load_cert_chain(str(cert), str(key))
