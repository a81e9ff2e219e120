"""Kubernetes schemas for rendered objects, from a live API server's OpenAPI v3 documents.

Which server: --kubeconfig, else $KUBECONFIG, else the local cluster's kubeconfig
(.cache/cluster/kubeconfig, written by `make cluster-up`), else ~/.kube/config. The local API
server has the CRDs of cert-manager, Gateway API, prometheus-operator and Velero installed,
so those objects are validated too. Only GETs of /openapi/v3 are made. Without a reachable
server the check is reported as SKIPPED with the reason, never as passed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from ..core.errors import HarnessError
from ..core.kubeapi import UnsupportedKubeconfig, json_getter

FetchJson = Callable[[str], dict[str, Any]]  # path on the API server -> parsed JSON


class OpenAPISchemas:
    def __init__(self, fetch: FetchJson | None, unavailable_reason: str = "", cache_dir: Path | None = None) -> None:
        self._fetch = fetch
        self._cache_dir = cache_dir
        self.unavailable_reason = unavailable_reason
        self._index: dict[str, str] | None = None  # "group/version" -> document path
        self._validators: dict[tuple[str, str], Any] = {}  # jsonschema validators, built on demand
        self._documents: dict[str, dict[str, Any]] = {}
        self._verdicts: dict[str, list[list[str]]] | None = None  # object digest -> findings, for this server
        self._verdicts_dirty = False

    @property
    def available(self) -> bool:
        return self._fetch is not None

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str | None = None, local_cluster: Path | None = None,
                        cache_dir: Path | None = None) -> "OpenAPISchemas":
        """Schemas of the API server `kubeconfig` names, else of the project's local cluster.

        $KUBECONFIG and ~/.kube/config are never used implicitly: a render check must not quietly
        query whatever cluster the shell points at. A kubeconfig named explicitly that cannot be
        used is an error; no local cluster is an honest skip.
        """
        if kubeconfig:
            return cls._connect(kubeconfig, cache_dir, strict=True)
        if local_cluster and local_cluster.exists():
            return cls._connect(str(local_cluster), cache_dir, strict=False)
        return cls(None, "schema validation skipped: the local cluster is not running (make cluster-up) "
                         "and no --kubeconfig was given")

    @classmethod
    def _connect(cls, path: str, cache_dir: Path | None, strict: bool) -> "OpenAPISchemas":
        def unavailable(reason: str) -> "OpenAPISchemas":
            if strict:
                raise HarnessError(f"schema validation: {reason}")
            return cls(None, f"schema validation skipped: {reason}")

        first = Path(path.split(os.pathsep)[0])
        if not first.exists():
            return unavailable(f"no kubeconfig at {path} (no API server to ask)")
        try:
            fetch = _fetcher(first)
        except Exception as exc:  # a malformed kubeconfig raises many types; all mean "cannot ask"
            return unavailable(f"kubeconfig {first} unusable: {' '.join(str(exc).split())}")
        schemas = cls(fetch, cache_dir=cache_dir)
        try:
            schemas.index()
        except Exception as exc:  # connection refused, TLS, auth: all mean "no server to ask"
            return unavailable(f"API server from {path} unreachable: {' '.join(str(exc).split())[:160]}")
        return schemas

    def index(self) -> dict[str, str]:
        if self._index is None:
            paths = self._fetch("/openapi/v3").get("paths") or {}
            self._index = {}
            for key, entry in paths.items():
                group_version = key.removeprefix("apis/").removeprefix("api/")
                self._index[group_version] = entry.get("serverRelativeURL", "/openapi/v3/" + key)
        return self._index

    def _validator(self, api_version: str, kind: str):
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str):
        from jsonschema import Draft7Validator  # imported only on a verdict-cache miss

        group, _, version = api_version.rpartition("/")
        url = self.index().get(api_version)
        if url is None:
            return None
        document = self._documents.get(url) or self._documents.setdefault(url, _closed(self._document(url)))
        for name, schema in (document.get("components") or {}).get("schemas", {}).items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                if gvk.get("group", "") == group and gvk.get("version") == version and gvk.get("kind") == kind:
                    root = {"components": document["components"], "$ref": f"#/components/schemas/{name}"}
                    return Draft7Validator(root)
        return None

    def _document(self, url: str) -> dict[str, Any]:
        """A group-version document; its URL carries the server's content hash, so it is cached by URL."""
        if self._cache_dir is None or "hash=" not in url:
            return self._fetch(url)
        path = self._cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")
        if path.exists():
            return json.loads(path.read_text())
        document = self._fetch(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
        return document

    def _verdicts_file(self) -> Path | None:
        if self._cache_dir is None:
            return None
        signature = hashlib.sha256(json.dumps(self.index(), sort_keys=True).encode()).hexdigest()
        return self._cache_dir / f"verdicts-{signature[:32]}.json"

    def validate(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """Findings (field, message) for one object; remembered per server schema and object content."""
        if self._verdicts is None:
            path = self._verdicts_file()
            self._verdicts = json.loads(path.read_text()) if path and path.exists() else {}
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
        if digest not in self._verdicts:
            self._verdicts[digest] = [list(pair) for pair in self._validate(doc)]
            self._verdicts_dirty = True
        return [(field, message) for field, message in self._verdicts[digest]]

    def save(self) -> None:
        """Persist the verdicts, so an unchanged rerun validates nothing again."""
        path = self._verdicts_file() if self._verdicts_dirty else None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self._verdicts))
            self._verdicts_dirty = False

    def _validate(self, doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
        api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
        validator = self._validator(api_version, kind)
        if validator is None:
            yield "apiVersion", f"{api_version} {kind} is not served by the API server"
            return
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            yield ".".join(map(str, error.absolute_path)) or "(root)", " ".join(error.message.split())[:200]


def _fetcher(kubeconfig: Path) -> FetchJson:
    """A GET-JSON function for the kubeconfig's server: our small one, else the official client."""
    try:
        return json_getter(kubeconfig)
    except UnsupportedKubeconfig:
        pass
    from kubernetes import config  # imported only here: it costs a third of a second

    api = config.new_client_from_config(config_file=str(kubeconfig))

    def fetch(resource: str) -> dict[str, Any]:
        method, url, headers, body, post = api.param_serialize("GET", resource, auth_settings=["BearerToken"])
        response = api.call_api(method, url, headers, body, post, _request_timeout=5)
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {resource}: HTTP {response.status}")
        return json.loads(response.data)

    return fetch


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
