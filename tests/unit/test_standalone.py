"""The offline schemas in kubeconform's standalone-strict layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.render.offline_openapi import refs
from harness.render.schemas import OpenAPISchemas
from harness.render.standalone import file_name, write_standalone

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("api_version", "kind", "name"), [
    ("v1", "ConfigMap", "configmap-v1.json"),
    ("apps/v1", "Deployment", "deployment-apps-v1.json"),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicy-networking-v1.json"),
    ("cert-manager.io/v1", "ClusterIssuer", "clusterissuer-cert-manager-v1.json"),
    ("monitoring.coreos.com/v1", "ServiceMonitor", "servicemonitor-monitoring-v1.json"),
], ids=["core", "apps", "dotted-group", "crd", "crd-dotted"])
def test_file_names_follow_kubeconforms_kind_suffix(api_version, kind, name):
    assert file_name(api_version, kind) == name


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kubeconform")
    return write_standalone(OpenAPISchemas.pinned(REPO_ROOT), root, "1.36.3") / "v1.36.3-standalone-strict"


@pytest.mark.parametrize("name", ["deployment-apps-v1.json", "certificate-cert-manager-v1.json",
                                  "schedule-velero-v1.json", "httproute-gateway-v1.json"],
                         ids=["builtin", "cert-manager", "velero", "gateway-api"])
def test_each_file_is_self_contained_and_strict(layout, name):
    schema = json.loads((layout / name).read_text())
    kind = {k: v for k, v in schema.items() if k != "definitions"}
    assert kind in schema["definitions"].values()  # the kind's own schema at the root
    assert all(r.startswith("#/definitions/") and r.removeprefix("#/definitions/") in schema["definitions"]
               for r in refs(schema))  # no reference leaves the file
    assert schema["additionalProperties"] is False  # strict: unknown fields refused
    assert "allOf" not in json.dumps(schema["properties"]["metadata"])  # plain $ref: kubeconform's errors stay flat


def test_rewriting_is_skipped_once_written(layout):
    marker = layout / "configmap-v1.json"
    before = marker.stat().st_mtime_ns
    write_standalone(OpenAPISchemas.pinned(REPO_ROOT), layout.parent.parent, "1.36.3")
    assert marker.stat().st_mtime_ns == before
