"""A fake API server's OpenAPI v3 endpoints: one group-version (core v1) with the ConfigMap schema."""

from __future__ import annotations

CONFIGMAP_DOC = {
    "components": {"schemas": {
        "io.k8s.api.core.v1.ConfigMap": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "ConfigMap"}],
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "metadata": {"allOf": [{"$ref": "#/components/schemas/meta"}]},
                           "data": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        "meta": {"type": "object", "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}}},
    }},
}


def fake_server(path: str) -> dict:
    if path == "/openapi/v3":
        return {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=x"}}}
    assert path == "/openapi/v3/api/v1?hash=x"
    return CONFIGMAP_DOC
