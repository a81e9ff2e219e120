"""Reading object fields the way the API server does: an explicit null is the same as absent.

Helm renders an empty value (`key:` or `{{ .Values.x }}` of nothing) as YAML null, and the API
server drops a null field before defaulting. So `protocol: null` is TCP, `egress: null` has no
rules, `namespaceSelector: null` is no namespace selector at all. Every check, the evaluator and
the selector matcher read optional fields through `get_or` so they agree with the cluster.
"""

from __future__ import annotations

from typing import Any


def get_or(mapping: Any, key: str, default: Any = None) -> Any:
    """mapping[key]; `default` when the key is missing, its value is null, or mapping is not a mapping."""
    if not isinstance(mapping, dict):
        return default
    value = mapping.get(key)
    return default if value is None else value


def is_set(mapping: Any, key: str) -> bool:
    """True when the field is set to something other than null."""
    return get_or(mapping, key) is not None
