"""One label-selector matcher for rendered and live objects, with Kubernetes' semantics."""

from __future__ import annotations

import pytest

from harness.core.selectors import selector_matches

LABELS = {"app.kubernetes.io/name": "acme-api", "tier": "1"}

CASES = [
    ("null-selects-nothing", None, False),
    ("empty-selects-everything", {}, True),
    ("match-labels", {"matchLabels": {"app.kubernetes.io/name": "acme-api"}}, True),
    ("match-labels-other-value", {"matchLabels": {"app.kubernetes.io/name": "acme-ui"}}, False),
    ("yaml-number-compares-as-string", {"matchLabels": {"tier": 1}}, True),
    ("in", {"matchExpressions": [{"key": "tier", "operator": "In", "values": [1, 2]}]}, True),
    ("in-missing-key", {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, False),
    ("notin-missing-key", {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
    ("notin", {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["1"]}]}, False),
    ("exists", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ("does-not-exist", {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
    ("unknown-operator-is-invalid-selects-nothing",
     {"matchExpressions": [{"key": "tier", "operator": "Equals", "values": ["1"]}]}, False),
    # Explicit nulls, as Helm renders empty values: absent fields, never a crash.
    ("null-match-labels-and-expressions-select-everything", {"matchLabels": None, "matchExpressions": None}, True),
    ("null-expression-entry-is-invalid-selects-nothing", {"matchExpressions": [None]}, False),
    ("null-values-list-is-empty", {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": None}]}, True),
    ("null-label-value-is-empty-string", {"matchLabels": {"tier": None}}, False),
]


@pytest.mark.parametrize(("selector", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_selector_semantics(selector, expected: bool) -> None:
    assert selector_matches(selector, LABELS) is expected
