"""Kubernetes schemas for rendered objects, from a live API server's OpenAPI v3 documents.

The cluster work (issue 6) switches this on by pointing KUBECONFIG (or --kubeconfig) at the
local API server, which has the CRDs of cert-manager, Gateway API, prometheus-operator and
Velero installed. Without a reachable server the check is reported as SKIPPED, never passed.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from jsonschema import Draft7Validator

FetchJson = Callable[[str], dict[str, Any]]  # path on the API server -> parsed JSON


class OpenAPISchemas:
    def __init__(self, fetch: FetchJson | None, unavailable_reason: str = "") -> None:
        self._fetch = fetch
        self.unavailable_reason = unavailable_reason
        self._index: dict[str, str] | None = None  # "group/version" -> document path
        self._validators: dict[tuple[str, str], Draft7Validator | None] = {}
        self._documents: dict[str, dict[str, Any]] = {}

    @property
    def available(self) -> bool:
        return self._fetch is not None

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None = None) -> "OpenAPISchemas":
        path = kubeconfig or os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
        if not Path(path.split(os.pathsep)[0]).exists():
            return cls(None, f"schema validation skipped: no kubeconfig at {path} (no API server to ask)")
        try:
            from kubernetes import config

            api = config.new_client_from_config(config_file=path.split(os.pathsep)[0])
        except Exception as exc:  # the client raises many types for a bad kubeconfig
            return cls(None, f"schema validation skipped: kubeconfig {path} unusable: {' '.join(str(exc).split())}")

        def fetch(resource: str) -> dict[str, Any]:
            method, url, headers, body, post = api.param_serialize("GET", resource, auth_settings=["BearerToken"])
            response = api.call_api(method, url, headers, body, post, _request_timeout=5)
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {resource}: HTTP {response.status}")
            return json.loads(response.data)

        schemas = cls(fetch)
        try:
            schemas.index()
        except Exception as exc:  # connection refused, TLS, auth: all mean "no server to ask"
            return cls(None, f"schema validation skipped: API server from {path} unreachable: "
                             f"{' '.join(str(exc).split())[:160]}")
        return schemas

    def index(self) -> dict[str, str]:
        if self._index is None:
            paths = self._fetch("/openapi/v3").get("paths") or {}
            self._index = {}
            for key, entry in paths.items():
                group_version = key.removeprefix("apis/").removeprefix("api/")
                self._index[group_version] = entry.get("serverRelativeURL", "/openapi/v3/" + key)
        return self._index

    def _validator(self, api_version: str, kind: str) -> Draft7Validator | None:
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str) -> Draft7Validator | None:
        group, _, version = api_version.rpartition("/")
        url = self.index().get(api_version)
        if url is None:
            return None
        document = self._documents.get(url) or self._documents.setdefault(url, _closed(self._fetch(url)))
        for name, schema in (document.get("components") or {}).get("schemas", {}).items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                if gvk.get("group", "") == group and gvk.get("version") == version and gvk.get("kind") == kind:
                    root = {"components": document["components"], "$ref": f"#/components/schemas/{name}"}
                    return Draft7Validator(root)
        return None

    def validate(self, doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
        api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
        validator = self._validator(api_version, kind)
        if validator is None:
            yield "apiVersion", f"{api_version} {kind} is not served by the API server"
            return
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            yield ".".join(map(str, error.absolute_path)) or "(root)", " ".join(error.message.split())[:200]


def _closed(document: dict[str, Any]) -> dict[str, Any]:
    """Reject unknown fields like the API server's strict field validation does."""
    document = copy.deepcopy(document)
    for schema in (document.get("components") or {}).get("schemas", {}).values():
        _close(schema)
    return document


def _close(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        schema["additionalProperties"] = False
    for value in schema.values():
        if isinstance(value, dict):
            _close(value)
        elif isinstance(value, list):
            for item in value:
                _close(item)
