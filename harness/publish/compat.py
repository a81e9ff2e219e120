"""`harness compat`: Helm 3 and Helm 4 render the same manifests for every scenario.

Every scenario the harness knows (each chart's values matrix and every environment) is
rendered by both helms through the same Renderer (the cache keys include the helm build), the
documents are parsed, and each object is compared field by field. Any difference is listed
with its object and field path; the exit code is 1 when there is one, 2 on bad input.

The one expected difference is explained away, not ignored: a generated database password is
random per render (randAlphaNum, in either helm), so Helm 3's is replaced by Helm 4's in its
Secret before comparing; every other byte of that Secret (user, host, URL shape) must match.
Secret values are never printed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from ..core.project import Project
from ..render.renderer import Renderer
from ..render.scenario import Scenario


@dataclass(frozen=True)
class Difference:
    scenario: str
    object: str
    field: str
    helm3: Any
    helm4: Any


def _objects(scenario: Scenario) -> dict[str, dict]:
    return {f"{o.kind}/{o.doc.get('metadata', {}).get('namespace', '')}/{o.name}": o.doc for o in scenario.manifests}


def _diff(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            yield from _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def _with_password_of(old: dict, new: dict) -> dict:
    """`old` (a Secret) with its generated `password` swapped for `new`'s wherever it occurs."""
    old_data, new_data = old.get("data") or {}, new.get("data") or {}
    if old.get("kind") != "Secret" or "password" not in old_data or "password" not in new_data:
        return old
    old_pw, new_pw = (base64.b64decode(d["password"]).decode() for d in (old_data, new_data))
    data = {k: base64.b64encode(base64.b64decode(v).decode().replace(old_pw, new_pw).encode()).decode()
            for k, v in old_data.items()}
    return {**old, "data": data}


def compare(helm3: list[Scenario], helm4: list[Scenario]) -> list[Difference]:
    differences = []
    for old, new in zip(helm3, helm4):
        if old.render_errors != new.render_errors:
            differences.append(Difference(old.name, "(render)", "errors", old.render_errors, new.render_errors))
        old_objects, new_objects = _objects(old), _objects(new)
        for key in sorted(old_objects.keys() | new_objects.keys()):
            a_doc, b_doc = old_objects.get(key), new_objects.get(key)
            if a_doc and b_doc:
                a_doc = _with_password_of(a_doc, b_doc)
            for field, a, b in _diff(a_doc, b_doc, ""):
                if key.startswith("Secret/") and field.startswith(("data.", "stringData.")):
                    a, b = "<secret value>", "<secret value>"
                differences.append(Difference(old.name, key, field or "(whole object)", a, b))
    return differences


def render_with(project: Project, helm: Path | None, selection: Selection, workers: int | None) -> list[Scenario]:
    plans = plan_scenarios(project, selection)
    return build_scenarios(project, plans, Renderer(project, workers, helm=helm), RunOptions(workers=workers),
                           needs_baseline=False, needs_schemas=False)
