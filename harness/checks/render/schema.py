"""Schema validation of every rendered object against OpenAPI v3 documents: the pinned Kubernetes
release's and the pinned CRDs' (offline), or those of the API server --kubeconfig names."""

from __future__ import annotations

from ..registry import CheckSkipped, check


def kubernetes_schema(scenario, check):
    source = scenario.schemas
    if source is None or not source.available:
        reason = source.unavailable_reason if source is not None else "schema validation not configured"
        raise CheckSkipped(reason)
    for obj in scenario.manifests:
        for field, message in source.validate(obj.doc):
            yield check.finding(obj, field, message)


check("schema.kubernetes", "every object validates against its OpenAPI v3 schema (pinned Kubernetes and CRDs, or --kubeconfig's server)",
      kubernetes_schema)
