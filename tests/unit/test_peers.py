"""The peers in the suite: each tool's output parsed into findings, exceptions with reasons, stale
exceptions failing, and the real pinned tools finding exactly what a broken manifest breaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.publish import peers
from harness.render.schemas import OpenAPISchemas
from harness.render.standalone import write_standalone
from harness.tools import chart_testing, kubeconform, kubescore
from harness.tools.peer import PeerFinding

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(REPO_ROOT)

# kube-score 1.20 `score --output-format json` (v2), trimmed: a failing, a warning, a skipped
# (ignored) check graded 5, a passing check with a comment and a passing check without.
KUBE_SCORE_REPORT = json.dumps([
    {"object_name": "NetworkPolicy/networking.k8s.io/v1/acme/orphan",
     "type_meta": {"kind": "NetworkPolicy", "apiVersion": "networking.k8s.io/v1"},
     "object_meta": {"name": "orphan", "namespace": "acme", "creationTimestamp": None},
     "checks": [{"check": {"name": "NetworkPolicy targets Pod", "id": "networkpolicy-targets-pod"}, "grade": 1,
                 "skipped": False, "comments": [{"path": "", "summary": "The NetworkPolicys selector doesn't match "
                                                 "any pods", "description": ""}]},
                {"check": {"id": "stable-version"}, "grade": 10, "skipped": False, "comments": None}],
     "file_name": "local.yaml", "file_row": 1},
    {"object_name": "Deployment/apps/v1/acme/api",
     "type_meta": {"kind": "Deployment", "apiVersion": "apps/v1"},
     "object_meta": {"name": "api", "namespace": "acme"},
     "checks": [{"check": {"id": "container-resources"}, "grade": 1, "skipped": False,
                 "comments": [{"path": "api", "summary": "CPU limit is not set",
                               "description": "Resource limits are recommended to avoid resource DDOS."},
                              {"path": "api", "summary": "Memory limit is not set", "description": ""}]},
                {"check": {"id": "deployment-has-host-podantiaffinity"}, "grade": 5, "skipped": False,
                 "comments": [{"path": "", "summary": "Deployment does not have a host podAntiAffinity set",
                               "description": ""}]},
                {"check": {"id": "container-seccomp-profile"}, "grade": 5, "skipped": True,
                 "comments": [{"path": "", "summary": "Skipped because container-seccomp-profile is ignored"}]},
                {"check": {"id": "pod-topology-spread-constraints"}, "grade": 10, "skipped": False,
                 "comments": [{"path": "", "summary": "Pod Topology Spread Constraints"}]}]},
])

# kubeconform 0.8 `-strict -summary -output json`: an invalid object (its error tree in msg), a
# kind without a schema.
KUBECONFORM_REPORT = json.dumps({"resources": [
    {"filename": "local.yaml", "kind": "Deployment", "name": "api", "version": "apps/v1", "status": "statusInvalid",
     "msg": "problem validating schema. Check JSON formatting: jsonschema validation failed with "
            "'file:///s/deployment-apps-v1.json#' - at '/spec/template/spec/containers/0': validation failed"
            "   - at '/spec/template/spec/containers/0/ports/0/containerPort': got string, want integer"
            "   - at '/spec/template/spec/containers/0': additional properties 'resourcez' not allowed",
     "validationErrors": [{"path": "/spec", "msg": "validation failed"}]},
    {"filename": "local.yaml", "kind": "Widget", "name": "w", "version": "acme.io/v1", "status": "statusError",
     "msg": "could not find schema for Widget"}],
    "summary": {"valid": 40, "invalid": 1, "errors": 1, "skipped": 0}})

# ct 3.14 `lint --all --skip-helm-dependencies`, trimmed: one chart passing, one failing with its reason.
CT_OUTPUT = """Linting charts...
Version increment checking disabled.
Linting chart "acme-api => (version: \\"0.1.1\\", path: \\"charts/acme-api\\")"
Validating charts/acme-api/Chart.yaml...
Validation success! 👍
Linting chart with values file "charts/acme-api/ci/01-defaults-values.yaml"...
==> Linting charts/acme-api
[INFO] Chart.yaml: icon is recommended
1 chart(s) linted, 0 chart(s) failed
Linting chart "acme-lib => (version: \\"0.2.0\\", path: \\"charts/acme-lib\\")"
Validating charts/acme-lib/Chart.yaml...
Validation success! 👍
[Errno 2] No such file or directory: 'charts/acme-lib/values.yaml'
------------------------------------------------------------------------------------------------------------------------
 ✔︎ acme-api => (version: "0.1.1", path: "charts/acme-api")
 ✖︎ acme-lib => (version: "0.2.0", path: "charts/acme-lib") > failed waiting for process: exit status 255
------------------------------------------------------------------------------------------------------------------------
Error: failed linting charts: failed processing charts
"""


def test_kube_score_report_is_parsed_into_one_finding_per_comment():
    assert kubescore.parse(KUBE_SCORE_REPORT) == [
        PeerFinding("kube-score", "container-resources", "Deployment/api", "api",
                    "CPU limit is not set Resource limits are recommended to avoid resource DDOS.", "CRITICAL"),
        PeerFinding("kube-score", "container-resources", "Deployment/api", "api", "Memory limit is not set",
                    "CRITICAL"),
        PeerFinding("kube-score", "deployment-has-host-podantiaffinity", "Deployment/api", "",
                    "Deployment does not have a host podAntiAffinity set", "WARNING"),
        PeerFinding("kube-score", "networkpolicy-targets-pod", "NetworkPolicy/orphan", "",
                    "The NetworkPolicys selector doesn't match any pods", "CRITICAL"),
    ]


@pytest.mark.parametrize("report", ["", "Failed to score files", '{"not": "a list"}'],
                         ids=["empty", "not-json", "not-a-list"])
def test_kube_score_report_that_is_not_one_is_an_error(report):
    with pytest.raises(HarnessError, match="^kube-score"):
        kubescore.parse(report)


def test_kubeconform_report_is_parsed_into_the_leaves_of_its_error_tree():
    valid, findings = kubeconform.parse(KUBECONFORM_REPORT)
    assert valid == 40
    assert findings == [
        PeerFinding("kubeconform", "schema", "Deployment/api", "/spec/template/spec/containers/0",
                    "additional properties 'resourcez' not allowed"),
        PeerFinding("kubeconform", "schema", "Deployment/api", "/spec/template/spec/containers/0/ports/0/containerPort",
                    "got string, want integer"),
        PeerFinding("kubeconform", "error", "Widget/w", "", "could not find schema for Widget"),
    ]


def test_kubeconform_report_without_summary_is_an_error():
    with pytest.raises(HarnessError, match=r"^kubeconform: expected a JSON report with a summary"):
        kubeconform.parse('{"resources": []}')


def test_ct_output_is_parsed_with_the_reason_of_each_failed_chart():
    assert chart_testing.parse(CT_OUTPUT, returncode=1) == (1, [
        PeerFinding("ct", "lint", "Chart/acme-lib", "", "[Errno 2] No such file or directory: "
                                                        "'charts/acme-lib/values.yaml'")])


def write_exceptions(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "peer-exceptions.yaml"
    path.write_text(text)
    return path


def test_an_exception_accepts_only_its_tool_check_resource_and_message(tmp_path):
    exceptions = peers.load(PROJECT, write_exceptions(tmp_path, """exceptions:
  - tool: kube-score
    check: container-resources
    message: "CPU limit is not set*"
    resources: [Deployment/api]
    reason: CFS throttling costs latency.
"""))
    cpu, memory, warning, netpol = kubescore.parse(KUBE_SCORE_REPORT)
    other_tool = PeerFinding("kubeconform", "container-resources", "Deployment/api", "", "CPU limit is not set")
    results = peers.classify([("local", f) for f in (cpu, memory, netpol, other_tool)], exceptions)
    assert [(r.finding, r.accepted is not None) for r in results] == [
        (cpu, True), (memory, False), (netpol, False), (other_tool, False)]
    assert warning.severity == "WARNING"


def test_a_stale_exception_fails_the_run(tmp_path):
    exceptions = peers.load(PROJECT, write_exceptions(tmp_path, """exceptions:
  - tool: kube-score
    check: statefulset-has-servicename
    resources: [StatefulSet/acme-db]
    reason: defect, being fixed.
"""))
    results = peers.classify([], exceptions)
    run = peers.Run(results, peers.unused(exceptions, (r.accepted for r in results)), {"kube-score": "1 environment"})
    assert run.failed
    assert "stale exception: kube-score statefulset-has-servicename StatefulSet/acme-db matched nothing; remove it" \
        in peers.table(run)


@pytest.mark.parametrize(("text", "message"), [
    ("exceptions:\n  - tool: kube-score\n    check: x\n    resources: ['*']\n", r"exceptions\[0\]\.reason"),
    ("exceptions:\n  - tool: polaris\n    check: x\n    reason: r\n", r"exceptions\[0\]\.tool: one of kube-score"),
    ("exceptions:\n  - tool: ct\n    reason: r\n", r"exceptions\[0\]\.check"),
    ("exceptions:\n  - tool: ct\n    check: lint\n    reason: r\n    message: 3\n", r"exceptions\[0\]\.message"),
    ("exceptions:\n  - tool: ct\n    check: lint\n    reason: r\n    until: 2027\n", r"exceptions\[0\]: expected keys"),
], ids=["no-reason", "unknown-tool", "no-check", "message-not-a-glob", "unknown-key"])
def test_malformed_exceptions_are_refused(tmp_path, text, message):
    with pytest.raises(HarnessError, match=message):
        peers.load(PROJECT, write_exceptions(tmp_path, text))


def test_the_project_exceptions_all_have_reasons():
    exceptions = peers.load(PROJECT)
    assert exceptions and all(a.reason for a in exceptions)


# --- the real pinned tools on a broken manifest ------------------------------------------------

BROKEN = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: orphan, namespace: acme}
spec:
  podSelector: {matchLabels: {app: nobody}}
  policyTypes: [Ingress]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: www, namespace: acme}
spec:
  secretName: www-tls
  dnsName: [www.acme.com]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: acme}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: acme/api:1.0
          resourcez: {}
"""


@pytest.fixture(scope="module")
def broken_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("peers") / "broken.yaml"
    path.write_text(BROKEN)
    return path


def test_kube_score_finds_the_policy_that_selects_no_pod(broken_file):
    findings = kubescore.score(PROJECT.tool("kube-score"), broken_file, PROJECT.kube_version)
    assert [f for f in findings if f.resource == "NetworkPolicy/orphan"] == [
        PeerFinding("kube-score", "networkpolicy-targets-pod", "NetworkPolicy/orphan", "",
                    "The NetworkPolicys selector doesn't match any pods", "CRITICAL")]


def test_kubeconform_finds_unknown_and_missing_fields_against_the_offline_schemas(broken_file, tmp_path):
    schemas = write_standalone(OpenAPISchemas.pinned(REPO_ROOT), tmp_path, PROJECT.kube_version)
    valid, findings = kubeconform.validate(PROJECT.tool("kubeconform"), broken_file, schemas, PROJECT.kube_version)
    assert valid == 1  # the NetworkPolicy
    assert findings == [
        PeerFinding("kubeconform", "schema", "Certificate/www", "/spec", "additional properties 'dnsName' not allowed"),
        PeerFinding("kubeconform", "schema", "Certificate/www", "/spec", "missing property 'issuerRef'"),
        PeerFinding("kubeconform", "schema", "Deployment/api", "/spec/template/spec/containers/0",
                    "additional properties 'resourcez' not allowed"),
    ]


def test_ct_finds_a_chart_without_values(tmp_path):
    chart = tmp_path / "charts" / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\ndescription: d\n")
    (tmp_path / "ct.yaml").write_text((REPO_ROOT / "ct.yaml").read_text())
    etc = peers.module_dir(REPO_ROOT / "tools" / "chart-testing", peers.CT_MODULE) / "etc"
    env = PROJECT.tool_env()
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    passed, findings = chart_testing.lint(PROJECT.tool("ct"), tmp_path / "ct.yaml", etc / "chart_schema.yaml",
                                          etc / "lintconf.yaml", tmp_path, env)
    # ct copies the schema validator's complaint to its output from another goroutine: on a loaded machine it
    # can arrive after the chart's result line, which then carries only ct's own wording
    assert passed == 0 and [(f.resource, f.message) for f in findings] in (
        [("Chart/broken", "[Errno 2] No such file or directory: 'charts/broken/values.yaml'")],
        [("Chart/broken", "failed waiting for process: exit status 255")]), findings


@pytest.mark.slow
def test_a_stale_exception_in_the_project_run_exits_1(tmp_path):
    """The whole run over every environment: today's findings accepted, one extra entry stale."""
    extra = ("  - tool: kube-score\n    check: container-image-tag\n    resources: [Deployment/acme-api]\n"
             "    reason: matches nothing, the tags are pinned\n")
    path = write_exceptions(tmp_path, peers.exceptions_file(PROJECT).read_text() + extra)
    env = {**os.environ, "ACME_ROOT": str(REPO_ROOT), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-m", "harness", "peers", "--exceptions", str(path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    stale = [line for line in done.stdout.splitlines() if line.startswith("stale exception")]
    assert stale == ["stale exception: kube-score container-image-tag Deployment/acme-api matched nothing; remove it"]
    assert "FAIL" not in done.stdout  # nothing else fails: the project's own file accepts every finding
