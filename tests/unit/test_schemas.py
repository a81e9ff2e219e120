"""Schema validation against OpenAPI v3 documents: a fake server, and a kubeconfig that cannot be used."""

from __future__ import annotations

import pytest

import factories as f
from checking import refs, run_check
from harness.core.errors import HarnessError
from harness.checks.registry import CheckSkipped
from harness.render.schemas import OpenAPISchemas

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


# a syntactically valid kubeconfig whose server refuses connections (port 1 on loopback)
UNREACHABLE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


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


@pytest.mark.parametrize("content", [None, "not: [a kubeconfig", UNREACHABLE_KUBECONFIG],
                         ids=["missing", "garbled", "unreachable"])
def test_explicit_kubeconfig_that_cannot_be_used_is_an_error(tmp_path, content):
    path = tmp_path / "kubeconfig"
    if content is not None:
        path.write_text(content)
    with pytest.raises(HarnessError, match="schema validation: "):
        OpenAPISchemas.from_kubeconfig(str(path))


def test_no_schema_source_is_skipped_with_reason():
    scenario = f.scenario(configmap())
    scenario.schemas = None
    with pytest.raises(CheckSkipped, match="not configured"):
        run_check("schema.kubernetes", scenario)