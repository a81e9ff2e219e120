"""Kubernetes label-selector semantics (matchLabels + matchExpressions), for rendered and live objects alike.

As metav1.LabelSelectorAsSelector: a null selector selects nothing, an empty one everything; values
compare as strings (YAML may hold `tier: 1`, the API server only strings; a null value decodes to "");
null matchLabels/matchExpressions are absent; an unknown operator (a null expression has none) makes
the selector invalid, and an invalid selector selects nothing.
"""

from __future__ import annotations

from typing import Any

from .fields import get_or


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics: matchLabels AND every matchExpression; {} matches all."""
    if selector is None:
        return False
    for key, value in get_or(selector, "matchLabels", {}).items():
        if labels.get(key) != _text(value):
            return False
    for expr in get_or(selector, "matchExpressions", []):
        # A null entry has no operator: the selector is invalid and selects nothing.
        key, operator = get_or(expr, "key"), get_or(expr, "operator")
        values = [_text(v) for v in get_or(expr, "values", [])]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def _text(value: Any) -> str:
    """A label value as the API server stores it: null decodes to the empty string."""
    return "" if value is None else str(value)
