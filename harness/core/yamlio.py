"""YAML loading with the C loader (parse once, fast) and errors that name the file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import HarnessError

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is part of the pinned wheel
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Plain `=` is a string, as in Go's YAML parsers (YAML 1.1's "value" tag has no constructor in
    PyYAML; prometheus-operator's CRDs list `=` among matchType's enum values)."""


_Loader.add_constructor("tag:yaml.org,2002:value", _Base.construct_yaml_str)


def load_yaml_file(path: Path) -> Any:
    """The parsed file; read once per process while unchanged. Callers must not mutate the result."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise HarnessError(f"{path}: file not found") from None
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise HarnessError(f"{path}: invalid YAML: {_one_line(exc)}") from None


def load_all(text: str, source: str) -> list[Any]:
    """Every non-empty document of a multi-document stream (helm template output)."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.YAMLError as exc:
        raise HarnessError(f"{source}: invalid YAML: {_one_line(exc)}") from None


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
