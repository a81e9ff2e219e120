"""Kubernetes schemas for rendered objects, from OpenAPI v3 documents.

Two sources of the same documents: offline, the pinned Kubernetes release's published
documents plus the pinned CRDs (what `make test-render` uses, no cluster needed); or the API
server an explicit --kubeconfig names (only GETs of /openapi/v3), which `make e2e` uses against
the local cluster to also cover what only a server knows. $KUBECONFIG and ~/.kube/config are
never used implicitly: a render check must not quietly query whatever cluster the shell points at.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from ..core.errors import HarnessError
from ..core.kubeapi import UnsupportedKubeconfig, json_getter

FetchJson = Callable[[str], dict[str, Any]]  # path on the API server -> parsed JSON


class DocumentSource(Protocol):
    """Where OpenAPI v3 documents come from: a live server or the pinned release's files."""

    signature: str  # changes whenever any document may have changed (keys the verdict cache)
    served_by: str  # for "X is not served by ..."

    def index(self) -> dict[str, str]: ...  # "group/version" -> document URL

    def document(self, url: str) -> dict[str, Any]: ...


class ServerDocuments:
    """The documents of a live API server; a group-version URL carries the server's content hash."""

    served_by = "the API server"

    def __init__(self, fetch: FetchJson, cache_dir: Path | None = None) -> None:
        self._fetch = fetch
        self._cache_dir = cache_dir
        self._index: dict[str, str] | None = None

    @property
    def signature(self) -> str:
        return hashlib.sha256(json.dumps(self.index(), sort_keys=True).encode()).hexdigest()[:32]

    def index(self) -> dict[str, str]:
        if self._index is None:
            paths = self._fetch("/openapi/v3").get("paths") or {}
            self._index = {}
            for key, entry in paths.items():
                group_version = key.removeprefix("apis/").removeprefix("api/")
                self._index[group_version] = entry.get("serverRelativeURL", "/openapi/v3/" + key)
        return self._index

    def document(self, url: str) -> dict[str, Any]:
        """Cached by URL when the URL carries the content hash."""
        if self._cache_dir is None or "hash=" not in url:
            return self._fetch(url)
        path = self._cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")
        if path.exists():
            return json.loads(path.read_text())
        document = self._fetch(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
        return document


class OpenAPISchemas:
    def __init__(self, source: DocumentSource | FetchJson | None, unavailable_reason: str = "",
                 cache_dir: Path | None = None) -> None:
        if callable(source):  # a bare fetch function: a server
            source = ServerDocuments(source, cache_dir)
        self.source = source
        self._cache_dir = cache_dir
        self.unavailable_reason = unavailable_reason
        self._validators: dict[tuple[str, str], Any] = {}  # jsonschema validators, built on demand
        self._documents: dict[str, dict[str, Any]] = {}
        self._verdicts: dict[str, list[list[str]]] | None = None  # object digest -> findings, for this source
        self._verdicts_dirty = False

    @property
    def available(self) -> bool:
        return self.source is not None

    @classmethod
    def pinned(cls, project_root: Path, cache_dir: Path | None = None) -> "OpenAPISchemas":
        """The pinned Kubernetes release's documents plus the pinned CRDs, no server needed."""
        from .offline_openapi import OfflineDocuments

        return cls(OfflineDocuments.pinned(project_root / "tools", cache_dir), cache_dir=cache_dir)

    @classmethod
    def from_kubeconfig(cls, kubeconfig: str, cache_dir: Path | None = None) -> "OpenAPISchemas":
        """The schemas of the API server `kubeconfig` names; one that cannot be used is an error."""
        first = Path(kubeconfig.split(os.pathsep)[0])
        if not first.exists():
            raise HarnessError(f"schema validation: no kubeconfig at {kubeconfig} (no API server to ask)")
        try:
            fetch = _fetcher(first)
        except Exception as exc:  # a malformed kubeconfig raises many types; all mean "cannot ask"
            raise HarnessError(f"schema validation: kubeconfig {first} unusable: {' '.join(str(exc).split())}") from None
        source = ServerDocuments(fetch, cache_dir)
        try:
            source.index()
        except Exception as exc:  # connection refused, TLS, auth: all mean "no server to ask"
            raise HarnessError(f"schema validation: API server from {kubeconfig} unreachable: "
                               f"{' '.join(str(exc).split())[:160]}") from None
        return cls(source, cache_dir=cache_dir)

    def _validator(self, api_version: str, kind: str):
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str):
        from jsonschema import Draft7Validator  # imported only on a verdict-cache miss

        group, _, version = api_version.rpartition("/")
        document = self.document(api_version)
        if document is None:
            return None
        for name, schema in (document.get("components") or {}).get("schemas", {}).items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                if gvk.get("group", "") == group and gvk.get("version") == version and gvk.get("kind") == kind:
                    root = {"components": document["components"], "$ref": f"#/components/schemas/{name}"}
                    return Draft7Validator(root)
        return None

    def document(self, api_version: str) -> dict[str, Any] | None:
        """The group-version's document, closed to unknown fields; None when it is not served."""
        url = self.source.index().get(api_version)
        if url is None:
            return None
        if url not in self._documents:
            self._documents[url] = _closed(self.source.document(url))
        return self._documents[url]

    def _verdicts_file(self) -> Path | None:
        if self._cache_dir is None:
            return None
        return self._cache_dir / f"verdicts-{self.source.signature}.json"

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
            yield "apiVersion", f"{api_version} {kind} is not served by {self.source.served_by}"
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
