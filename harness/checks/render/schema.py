"""Schema validation of every rendered object against the cluster's own OpenAPI v3 documents."""

from __future__ import annotations

from ..registry import CheckSkipped, check


@check("schema.kubernetes", "every object validates against the API server's OpenAPI v3 schema (CRDs included)")
def kubernetes_schema(scenario, check):
    source = scenario.schemas
    if source is None or not source.available:
        reason = source.unavailable_reason if source is not None else "schema validation not configured"
        raise CheckSkipped(reason)
    for obj in scenario.manifests:
        for field, message in source.validate(obj.doc):
            yield check.finding(obj, field, message)
