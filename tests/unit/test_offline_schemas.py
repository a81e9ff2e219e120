"""Schema validation without a cluster: the pinned Kubernetes release's OpenAPI v3 documents and
the pinned CRDs, each broken object giving exactly the expected finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import factories as f
from checking import run_check
from harness.core.errors import HarnessError
from harness.render import pipeline
from harness.render.crds import read_list
from harness.render.offline_openapi import OBJECT_META, OfflineDocuments, crd_documents
from harness.render.schemas import OpenAPISchemas
from harness.tools import gomod

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pinned() -> OpenAPISchemas:
    """The real pinned documents (make tools puts the modules in the cache), no verdict cache."""
    return OpenAPISchemas.pinned(REPO_ROOT)


def deployment(**container) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "acme"},
            "spec": {"selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api"}},
                                  "spec": {"containers": [{"name": "api", "image": "acme/api:1.0", **container}]}}}}


def certificate(**spec) -> dict:
    return {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "www", "namespace": "acme"},
            "spec": {"secretName": "www-tls", "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"},
                     "dnsNames": ["www.acme.com"], **spec}}


def findings(schemas: OpenAPISchemas, doc: dict) -> list[tuple[str, str, str]]:
    scenario = f.scenario(doc)
    scenario.schemas = schemas
    return [(str(x.object), x.field, x.message) for x in run_check("schema.kubernetes", scenario)]


def without(doc: dict, *path: str) -> dict:
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return doc


@pytest.mark.parametrize("doc", [
    deployment(ports=[{"name": "http", "containerPort": 8080}]),
    certificate(),
    {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "api"},
     "spec": {"selector": {"matchLabels": {"app": "api"}}, "endpoints": [{"port": "http", "interval": "30s"}]}},
    {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "api"},
     "spec": {"hostnames": ["api.acme.com"], "rules": [{"backendRefs": [{"name": "api", "port": 80}]}]}},
    {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "daily"},
     "spec": {"schedule": "0 3 * * *", "template": {"includedNamespaces": ["acme"]}}},
], ids=["deployment", "certificate", "servicemonitor", "httproute", "velero-schedule"])
def test_sound_objects_pass(pinned, doc):
    assert findings(pinned, doc) == []


@pytest.mark.parametrize(("doc", "expected"), [
    (deployment(ports=[{"containerPort": "8080"}]),
     ("spec.template.spec.containers.0.ports.0.containerPort", "'8080' is not of type 'integer'")),
    (deployment(livenessProbe={"httpGet": {"port": 8080}, "periodSecond": 5}),
     ("spec.template.spec.containers.0.livenessProbe",
      "Additional properties are not allowed ('periodSecond' was unexpected)")),
    (without(deployment(), "spec", "selector"), ("spec", "'selector' is a required property")),
    (certificate(duration=2160), ("spec.duration", "2160 is not of type 'string'")),
    (certificate(dnsName=["www.acme.com"]),
     ("spec", "Additional properties are not allowed ('dnsName' was unexpected)")),
    (without(certificate(), "spec", "issuerRef"), ("spec", "'issuerRef' is a required property")),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labelz": {}}},
     ("metadata", "Additional properties are not allowed ('labelz' was unexpected)")),
    ({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c", "labels": {"a": 1}},
      "spec": certificate()["spec"]}, ("metadata.labels.a", "1 is not of type 'string'")),
    ({"apiVersion": "acme.io/v1", "kind": "Widget", "metadata": {"name": "w"}},
     ("apiVersion", "acme.io/v1 Widget is not served by Kubernetes v1.36.3 or the pinned CRDs")),
], ids=["wrong-type", "unknown-field", "missing-required", "crd-wrong-type", "crd-unknown-field",
        "crd-missing-required", "unknown-metadata-field", "crd-metadata-via-objectmeta", "unknown-kind"])
def test_broken_object_gives_exactly_the_expected_finding(pinned, doc, expected):
    meta = doc["metadata"]
    assert findings(pinned, doc) == [(f"{doc['kind']}/{meta.get('namespace', 'acme')}/{meta['name']}", *expected)]


def test_preserve_unknown_fields_stay_open(pinned):
    """A CRD field marked x-kubernetes-preserve-unknown-fields takes anything, as on the server."""
    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "r"},
            "spec": {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0", "for": "5m",
                                                            "labels": {"severity": "page"}}]}]}}
    assert findings(pinned, rule) == []
    rule["spec"]["groups"][0]["rules"][0]["expression"] = "typo"
    assert [x[1:] for x in findings(pinned, rule)] == [
        ("spec.groups.0.rules.0", "Additional properties are not allowed ('expression' was unexpected)")]


def test_crd_document_is_built_like_the_servers(tmp_path):
    crd = tmp_path / "widgets.yaml"
    crd.write_text("""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.acme.io}
spec:
  group: acme.io
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata: {type: object}
          spec: {type: object, required: [size], properties: {size: {type: integer}}}
  - name: v0
    served: false
    storage: false
    schema: {openAPIV3Schema: {type: object}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: not-a-crd}
""")
    core = {"components": {"schemas": {
        OBJECT_META: {"type": "object", "properties": {"name": {"type": "string"},
                                                       "ownerReferences": {"items": {"$ref": "#/components/schemas/owner"}}}},
        "owner": {"type": "object", "properties": {"uid": {"type": "string"}}},
        "unrelated": {"type": "string"}}}}
    documents = crd_documents([crd], core)
    assert list(documents) == ["acme.io/v1"]  # v0 is not served; the policy is not a CRD
    schemas = documents["acme.io/v1"]["components"]["schemas"]
    assert set(schemas) == {OBJECT_META, "owner", "io.acme.v1.Widget"}  # ObjectMeta and what it references
    widget = schemas["io.acme.v1.Widget"]
    assert widget["x-kubernetes-group-version-kind"] == [{"group": "acme.io", "version": "v1", "kind": "Widget"}]
    assert widget["properties"]["metadata"] == {"allOf": [{"$ref": f"#/components/schemas/{OBJECT_META}"}]}


def test_warm_run_reads_the_built_crd_documents_from_the_cache(tmp_path):
    cold = OfflineDocuments.pinned(REPO_ROOT / "tools", tmp_path)
    index = cold.index()
    assert "cert-manager.io/v1" in index and "apps/v1" in index and "v1" in index
    cached = list(tmp_path.glob("crd-documents-*.json"))
    assert len(cached) == 1
    warm = OfflineDocuments.pinned(REPO_ROOT / "tools", tmp_path)
    warm.crds_module = None  # a warm run must not need the CRD files again
    assert warm.index() == index and warm.signature == cold.signature


@pytest.fixture
def empty_module_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "modcache"))
    monkeypatch.setenv("GOPROXY", "off")  # nothing to download from: the cache stays missing
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    gomod.module_cache.cache_clear()
    yield tmp_path / "modcache"
    gomod.module_cache.cache_clear()


def test_missing_module_cache_is_one_sentence(empty_module_cache):
    with pytest.raises(HarnessError) as raised:
        OpenAPISchemas.pinned(REPO_ROOT)
    message = str(raised.value)
    assert message.startswith(f"k8s.io/kubernetes v1.36.3 is not in the Go module cache ({empty_module_cache}) "
                              "and `go mod download` in ")
    assert "\n" not in message and "GOPROXY=off" in message


def test_missing_go_is_one_sentence(empty_module_cache, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(HarnessError, match=r"^k8s.io/kubernetes v1.36.3 is not in the Go module cache \(.*\) and `go` "
                                           r"is not on PATH to download it \(install Go, then `make tools`\)$"):
        OpenAPISchemas.pinned(REPO_ROOT)


def test_without_kubeconfig_the_pinned_documents_are_used_never_the_shells(tmp_path, monkeypatch):
    """$KUBECONFIG may point at production: only an explicit --kubeconfig reaches a server."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "production-kubeconfig"))
    schemas = pipeline._schemas(pipeline.Project(REPO_ROOT), pipeline.RunOptions())
    assert isinstance(schemas.source, OfflineDocuments)


@pytest.mark.parametrize(("module", "escaped"), [
    ("github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"), ("k8s.io/kubernetes", "k8s.io/kubernetes")],
    ids=["upper-case", "plain"])
def test_module_cache_case_encoding(module, escaped):
    assert gomod.escape(module) == escaped


def test_pinned_version_is_read_from_go_mod():
    assert gomod.pinned_version(REPO_ROOT / "tools" / "kubernetes", "k8s.io/kubernetes") == "v1.36.3"
    with pytest.raises(HarnessError, match=r"go.mod does not require example.com/absent$"):
        gomod.pinned_version(REPO_ROOT / "tools" / "kubernetes", "example.com/absent")


def test_missing_module_cache_exits_2_with_one_line(tmp_path):
    env = {**os.environ, "GOMODCACHE": str(tmp_path / "modcache"), "GOPROXY": "off", "ACME_ROOT": str(REPO_ROOT),
           "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-m", "harness", "check", "--only", "schema", "--chart", "acme-ui"],
                          capture_output=True, text=True, env=env, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(lines) == 1 and lines[0].startswith("harness check: error: k8s.io/kubernetes v1.36.3 is not in the Go "
                                                   f"module cache ({tmp_path / 'modcache'})"), done.stderr


def test_crd_list_line_without_directory_is_named(tmp_path):
    (tmp_path / "crds.txt").write_text("# comment\nexample.com/crds  config/crd\nexample.com/broken\n")
    with pytest.raises(HarnessError, match=r"crds.txt:3: expected `<module> <directory> \[<file pattern>\]`, "
                                           r"got `example.com/broken`$"):
        read_list(tmp_path)
    pinned = read_list(REPO_ROOT / "tools" / "crds")
    assert pinned[0] == ("github.com/cert-manager/cert-manager", "deploy/crds", "*.yaml")
    assert ("github.com/traefik/traefik/v3", "docs/content/reference/dynamic-configuration", "traefik.io_*.yaml") in pinned


def test_traefik_crds_are_the_pinned_edge_version():
    """The CRDs that validate TraefikService and IngressRoute come from the Traefik the edge runs."""
    tool_env = (REPO_ROOT / "tools" / "traefik" / "tool.env").read_text()
    edge = next(line.split("=", 1)[1] for line in tool_env.splitlines() if line.startswith("VERSION="))
    assert gomod.pinned_version(REPO_ROOT / "tools" / "crds", "github.com/traefik/traefik/v3") == edge
