"""Kubernetes label-selector semantics (matchLabels + matchExpressions), for rendered and live objects alike.

As metav1.LabelSelectorAsSelector: a null selector selects nothing, an empty one everything; values
compare as strings (YAML may hold `tier: 1`, the API server only strings); an unknown operator makes
the selector invalid, and an invalid selector selects nothing.
"""

from __future__ import annotations

from typing import Any


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics: matchLabels AND every matchExpression; {} matches all."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, operator, values = expr.get("key"), expr.get("operator"), [str(v) for v in expr.get("values") or []]
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
