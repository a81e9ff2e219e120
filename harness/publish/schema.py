"""`harness schema [--check]`: every chart's values.schema.json composed from acme-lib's shared fragments.

A chart that opts in keeps a source, `values.schema.src.json`, beside its values.schema.json. The source
is a draft-07 schema in which any object `{"$fragment": "NAME"}` stands for the file
charts/acme-lib/schema/NAME.json (fragments may use fragments). The values every app chart shares are
written once, in acme-lib, next to the helpers that read them; the source holds only what is the
chart's own. An object may extend the fragment it names with `properties` (appended after the
fragment's own, never replacing one) and `required` (merged, sorted), so a chart adds
`ports.metrics` without copying `ports.http`.

The output is JSON with two-space indents and a final newline; `--check` writes nothing and reports
every generated file that differs from its source and fragments (what `make verify` runs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from ..core.errors import HarnessError
from ..core.project import Project

SOURCE_NAME = "values.schema.src.json"
TARGET_NAME = "values.schema.json"
FRAGMENT_KEY = "$fragment"
# What may sit beside "$fragment": additions only, so a fragment's own constraints always hold.
EXTENSION_KEYS = {"properties", "required"}
FRAGMENT_NAME = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")


@dataclass(frozen=True)
class Generated:
    source: Path
    target: Path
    text: str

    @property
    def drifted(self) -> bool:
        return not self.target.exists() or self.target.read_text() != self.text


def fragments_dir(project: Project) -> Path:
    return project.charts_dir / "acme-lib" / "schema"


def sources(project: Project) -> list[Path]:
    """Every schema source under charts/ (app charts, the library's consumer chart, subcharts that opt in)."""
    return sorted(p for p in project.charts_dir.rglob(SOURCE_NAME) if "tmpcharts" not in p.parts)


def _load_json(path: Path, shown: str) -> object:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{shown}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


class _Composer:
    def __init__(self, project: Project):
        self.project = project
        self.directory = fragments_dir(project)
        self.loaded: dict[str, object] = {}

    def shown(self, path: Path) -> str:
        return str(path.relative_to(self.project.root)) if path.is_relative_to(self.project.root) else str(path)

    def fragment(self, name: object, where: str, chain: tuple[str, ...]) -> object:
        if not isinstance(name, str) or not FRAGMENT_NAME.match(name):
            raise HarnessError(f"{where}: {FRAGMENT_KEY} must name a fragment like \"image\" or \"parts/port\", "
                               f"got {name!r}")
        if name in chain:
            raise HarnessError(f"{where}: fragment `{name}` uses itself ({' -> '.join((*chain, name))})")
        path = self.directory / f"{name}.json"
        if not path.is_file():
            raise HarnessError(f"{where}: fragment `{name}` not found (no {self.shown(path)})")
        if name not in self.loaded:
            self.loaded[name] = _load_json(path, self.shown(path))
        return self.resolve(self.loaded[name], self.shown(path), (), (*chain, name))

    def resolve(self, node: object, file: str, path: tuple[str, ...], chain: tuple[str, ...] = ()) -> object:
        """`node` with every fragment reference replaced by the fragment's content."""
        if isinstance(node, list):
            return [self.resolve(item, file, (*path, str(i)), chain) for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if FRAGMENT_KEY not in node:
            return {key: self.resolve(value, file, (*path, key), chain) for key, value in node.items()}
        where = f"{file}: {'.'.join(path) or '(top level)'}"
        extra = set(node) - EXTENSION_KEYS - {FRAGMENT_KEY}
        if extra:
            raise HarnessError(f"{where}: only {' and '.join(sorted(EXTENSION_KEYS))} may extend a fragment, "
                               f"not {', '.join(sorted(extra))}")
        base = self.fragment(node[FRAGMENT_KEY], where, chain)
        extension = {k: self.resolve(v, file, (*path, k), chain) for k, v in node.items() if k != FRAGMENT_KEY}
        return self._extend(base, extension, where, node[FRAGMENT_KEY]) if extension else base

    @staticmethod
    def _extend(base: object, extension: dict, where: str, name: str) -> dict:
        if not isinstance(base, dict) or not isinstance(base.get("properties", {}), dict):
            raise HarnessError(f"{where}: fragment `{name}` is not an object schema, so it cannot be extended")
        merged = dict(base)
        if "properties" in extension:
            added = extension["properties"]
            clash = sorted(set(added) & set(base.get("properties", {})))
            if clash:
                raise HarnessError(f"{where}: {', '.join(clash)} already come(s) from fragment `{name}`; "
                                   "change the fragment instead of overriding it")
            merged["properties"] = {**base.get("properties", {}), **added}
        if "required" in extension:
            merged["required"] = sorted({*base.get("required", []), *extension["required"]})
        return merged


def compose(project: Project, source: Path) -> Generated:
    """The generated schema of one source; a HarnessError naming the file and spot when it cannot be built."""
    composer = _Composer(project)
    shown = composer.shown(source)
    document = composer.resolve(_load_json(source, shown), shown, ())
    target = source.with_name(TARGET_NAME)
    try:
        jsonschema.Draft7Validator.check_schema(document)
    except jsonschema.SchemaError as exc:
        spot = ".".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise HarnessError(f"{shown}: the composed schema is not valid draft-07 at {spot}: {exc.message}") from None
    return Generated(source, target, json.dumps(document, indent=2) + "\n")


def generate(project: Project) -> list[Generated]:
    found = sources(project)
    if not found:
        raise HarnessError(f"schema: no {SOURCE_NAME} under {project.charts_dir}")
    return [compose(project, source) for source in found]


def write(generated: list[Generated]) -> list[Generated]:
    """Write the drifted files; returns them."""
    changed = [g for g in generated if g.drifted]
    for item in changed:
        item.target.write_text(item.text)
    return changed
