"""Schema validation against OpenAPI v3 documents: a fake server, and a kubeconfig that cannot be used."""

from __future__ import annotations

import pytest

import factories as f
from checking import refs, run_check
from harness.core.errors import HarnessError
from harness.checks.registry import CheckSkipped
from harness.render.schemas import OpenAPISchemas
from fake_openapi import fake_server

# a syntactically valid kubeconfig whose server refuses connections (port 1 on loopback)
UNREACHABLE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


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