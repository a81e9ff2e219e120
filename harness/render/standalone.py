"""The offline schemas in kubeconform's standalone layout, so kubeconform validates offline too.

kubeconform looks a schema up as `<dir>/v<kube version>-standalone-strict/<kind>-<group's first
label>-<version>.json` (core group: `<kind>-<version>.json`). Each file is self-contained: the
kind's schema plus the component schemas it references, under `definitions`. They are written
from the same closed documents the harness validates with, so both reject the same unknown fields.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..core.errors import HarnessError
from .offline_openapi import _closure
from .schemas import OpenAPISchemas

# Bump when a change here changes the files written from the same documents (names the directory).
LAYOUT = 2


def file_name(api_version: str, kind: str) -> str:
    """kubeconform's KindSuffix: the group's first dot label and the version, lower case."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind}{suffix}".lower() + ".json"


def layout_dir(root: Path, kube_version: str) -> Path:
    return root / f"v{kube_version.lstrip('v')}-standalone-strict"


def write_standalone(schemas: OpenAPISchemas, root: Path, kube_version: str) -> Path:
    """Every served kind's strict schema under `root` (once per schema source); returns `root`."""
    name = f"{schemas.source.signature}-{LAYOUT}"
    target = layout_dir(root / name, kube_version)
    if target.is_dir():
        return target.parent
    files: dict[str, tuple[str, dict[str, Any]]] = {}
    for api_version in sorted(schemas.source.index()):
        document = schemas.document(api_version) or {}
        components = (document.get("components") or {}).get("schemas") or {}
        for name, schema in components.items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                gv = f"{gvk['group']}/{gvk['version']}" if gvk.get("group") else gvk["version"]
                if gv != api_version:
                    continue  # e.g. DeleteOptions carries every group's GVK; written with its own group
                key = file_name(gv, gvk["kind"])
                if key in files and files[key][0] != gv:
                    raise HarnessError(f"kubeconform layout: {gv} {gvk['kind']} and {files[key][0]} "
                                       f"share the file name {key}")
                files[key] = (gv, _standalone(components, name))
    staging = Path(tempfile.mkdtemp(dir=_ensure(root), prefix=".standalone-"))
    out = layout_dir(staging, kube_version)
    out.mkdir()
    for key, (_, schema) in files.items():
        (out / key).write_text(json.dumps(schema, separators=(",", ":")))
    try:
        os.replace(staging, root / name)  # appears whole or not at all
    except OSError:  # another run wrote it first
        shutil.rmtree(staging, ignore_errors=True)
    return root / name


def _standalone(components: dict[str, Any], name: str) -> dict[str, Any]:
    """The kind's schema at the root, what it references under `definitions`."""
    text = json.dumps(_closure(components, name)).replace('"#/components/schemas/', '"#/definitions/')
    definitions = _plain_refs(json.loads(text))
    return {**definitions[name], "definitions": definitions}


def _plain_refs(node: Any) -> Any:
    """`{allOf: [{$ref}], description, default}` -> `{$ref}`: Kubernetes wraps references so that
    annotations may sit beside them; the wrapper only nests kubeconform's errors one level deeper."""
    if isinstance(node, dict):
        all_of = node.get("allOf")
        if (isinstance(all_of, list) and len(all_of) == 1 and set(all_of[0]) == {"$ref"}
                and set(node) <= {"allOf", "description", "default"}):
            return {"$ref": all_of[0]["$ref"]}
        return {key: _plain_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain_refs(item) for item in node]
    return node


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
