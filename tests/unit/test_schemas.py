"""Schema validation against OpenAPI v3 documents, with a fake server, and its honest skip."""

from __future__ import annotations

import pytest

import factories as f
from checking import refs, run_check
from harness.registry import CheckSkipped
from harness.schemas import OpenAPISchemas

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


@pytest.fixture
def schemas() -> OpenAPISchemas:
    return OpenAPISchemas(fake_server)


def configmap(**extra) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "acme"},
            "data": {"a": "b"}, **extra}


def test_valid_object_passes(schemas):
    scenario = f.scenario(configmap())
    scenario.schemas = schemas
    assert run_check("schema.kubernetes", scenario) == []


@pytest.mark.parametrize(("doc", "field"), [
    (configmap(data={"a": 1}), "data.a"),
    (configmap(surprise=True), "(root)"),
    ({"apiVersion": "v1", "kind": "Widget", "metadata": {"name": "w"}}, "apiVersion"),
], ids=["wrong-type", "unknown-field", "unknown-kind"])
def test_invalid_object_is_reported(schemas, doc, field):
    scenario = f.scenario(doc)
    scenario.schemas = schemas
    assert {x[2] for x in refs(run_check("schema.kubernetes", scenario))} == {field}


def test_no_server_is_skipped_with_reason(tmp_path):
    scenario = f.scenario(configmap())
    scenario.schemas = OpenAPISchemas.from_kubeconfig(str(tmp_path / "missing-kubeconfig"))
    with pytest.raises(CheckSkipped, match="no kubeconfig"):
        run_check("schema.kubernetes", scenario)
