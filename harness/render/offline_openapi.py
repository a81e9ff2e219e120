"""OpenAPI v3 documents without a cluster: the pinned Kubernetes release plus the pinned CRDs.

Kubernetes publishes the documents its API server serves in api/openapi-spec/v3 of the
k8s.io/kubernetes module (the version tools/kubernetes pins, the one the local cluster runs).
A CRD's documents are built the way the API server builds them: the version's openAPIV3Schema
with `apiVersion`, `kind` and the standard ObjectMeta, tagged with its group-version-kind.
What neither validates offline: CEL rules (`x-kubernetes-validations`) and admission; the e2e
run against the local API server does.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from ..core.errors import HarnessError
from ..core.yamlio import load_all
from ..tools.gomod import module_dir
from .crds import crd_files, read_list

KUBERNETES_MODULE = "k8s.io/kubernetes"
SPEC_DIR = "api/openapi-spec/v3"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# Bump when a change here changes the documents built from the same inputs (it keys the caches).
RECIPE = 1

URL_PREFIX = "offline:"


class OfflineDocuments:
    """The /openapi/v3 index and documents of a server running the pinned release with the pinned CRDs."""

    def __init__(self, spec_dir: Path, crds_module: Path | None, inputs: list[str], cache_dir: Path | None = None,
                 served_by: str = "the pinned documents") -> None:
        self.spec_dir = spec_dir
        self.served_by = served_by
        self.crds_module = crds_module
        self.signature = hashlib.sha256(json.dumps([RECIPE, *inputs]).encode()).hexdigest()[:32]
        self._cache_dir = cache_dir
        self._crd_documents: dict[str, dict[str, Any]] | None = None

    @classmethod
    def pinned(cls, tools_dir: Path, cache_dir: Path | None = None) -> "OfflineDocuments":
        """From tools/kubernetes and tools/crds; one sentence naming what is missing, never a traceback."""
        kubernetes = module_dir(tools_dir / "kubernetes", KUBERNETES_MODULE)
        spec_dir = kubernetes / SPEC_DIR
        if not (spec_dir / "api__v1_openapi.json").exists():
            raise HarnessError(f"schema validation: {spec_dir} holds no OpenAPI v3 documents "
                               f"(did {kubernetes.name} move them?)")
        crds_module = tools_dir / "crds"
        inputs = [kubernetes.name]
        if (crds_module / "crds.txt").exists():
            # module@version names an immutable cache directory: no need to hash the files
            inputs += [f"{module_dir(crds_module, m).name}/{d}/{p}" for m, d, p in read_list(crds_module)]
        else:
            crds_module = None
        version = kubernetes.name.rpartition("@")[2]
        return cls(spec_dir, crds_module, inputs, cache_dir, served_by=f"Kubernetes {version} or the pinned CRDs")

    def index(self) -> dict[str, str]:
        """"group/version" (or "v1" for the core group) -> document URL, as /openapi/v3 lists them."""
        found = {}
        for path in sorted(self.spec_dir.glob("*_openapi.json")):
            parts = path.name.removesuffix("_openapi.json").split("__")
            if parts[0] == "api" and len(parts) == 2:
                found[parts[1]] = URL_PREFIX + path.name
            elif parts[0] == "apis" and len(parts) == 3:
                found[f"{parts[1]}/{parts[2]}"] = URL_PREFIX + path.name
        for group_version in self.crd_documents():
            found[group_version] = URL_PREFIX + "crd:" + group_version
        return found

    def document(self, url: str) -> dict[str, Any]:
        name = url.removeprefix(URL_PREFIX)
        if name.startswith("crd:"):
            return self.crd_documents()[name.removeprefix("crd:")]
        return _read_json(self.spec_dir / name)

    def crd_documents(self) -> dict[str, dict[str, Any]]:
        """One document per CRD group-version; built once per input set and kept in the cache dir."""
        if self._crd_documents is None:
            cached = self._cache_dir / f"crd-documents-{self.signature}.json" if self._cache_dir else None
            if cached is not None and cached.exists():
                self._crd_documents = json.loads(cached.read_text())
            else:
                files = crd_files(self.crds_module) if self.crds_module else []
                self._crd_documents = crd_documents(files, _read_json(self.spec_dir / "api__v1_openapi.json"))
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_text(json.dumps(self._crd_documents))
        return self._crd_documents


def crd_documents(files: list[Path], core_document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Group-version -> OpenAPI v3 document for every served version of every CRD in `files`."""
    meta = _closure(core_document["components"]["schemas"], OBJECT_META)
    documents: dict[str, dict[str, Any]] = {}
    for path in files:
        for crd in load_all(path.read_text(), str(path)):
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue  # e.g. Gateway API ships a ValidatingAdmissionPolicy beside its CRDs
            spec = crd.get("spec") or {}
            group, kind = spec.get("group", ""), (spec.get("names") or {}).get("kind", "")
            for version in spec.get("versions") or []:
                schema = ((version.get("schema") or {}).get("openAPIV3Schema"))
                if not version.get("served") or not isinstance(schema, dict):
                    continue
                name = ".".join([*reversed(group.split(".")), version["name"], kind])
                document = documents.setdefault(f"{group}/{version['name']}", {"components": {"schemas": dict(meta)}})
                document["components"]["schemas"][name] = _resource_schema(schema, group, version["name"], kind)
    return documents


def _resource_schema(schema: dict[str, Any], group: str, version: str, kind: str) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string"}
    properties["kind"] = {"type": "string"}
    properties["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}]}
    schema["x-kubernetes-group-version-kind"] = [{"group": group, "version": version, "kind": kind}]
    return schema


def _closure(schemas: dict[str, Any], root: str) -> dict[str, Any]:
    """`root` and every component schema it references, directly or not."""
    found: dict[str, Any] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = schemas[name]
        pending += [ref.rsplit("/", 1)[1] for ref in refs(schemas[name])]
    return found


def refs(node: Any):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise HarnessError(f"schema validation: cannot read {path}: {exc}") from None
