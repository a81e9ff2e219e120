"""The full values matrix on the real charts, and single-invariant mutations of copies of them."""

from __future__ import annotations

import json
from xml.etree import ElementTree
from pathlib import Path

import pytest

from harness.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def check(project: Path, tmp_path: Path, *args: str) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    code = main(["check", "--format", "json", "--output", str(report), *args])
    return code, json.loads(report.read_text())


@pytest.fixture
def real_project(monkeypatch) -> Path:
    monkeypatch.setenv("ACME_ROOT", str(REPO_ROOT))
    return REPO_ROOT


def test_full_matrix_has_no_findings(real_project, tmp_path):
    junit = tmp_path / "reports" / "render.xml"
    code, report = check(real_project, tmp_path, "--junit", str(junit))
    lines = [f"{f['check']} {f['scenario']} {f['object']} {f['field']}: {f['message']}" for f in report["findings"]]
    assert lines == [] and code == 0, "\n".join(lines)
    suites = ElementTree.parse(junit).getroot().findall("testsuite")
    assert {s.get("name") for s in suites} >= {"env/local", "env/staging", "env/production"}


def mutate(root: Path, relative: str, old: str, new: str) -> None:
    """Replace text in a chart file of the copy; fail loudly when the chart no longer has it."""
    path = root / relative
    text = path.read_text()
    assert old in text, f"mutation target {old!r} not found in {relative}: update this test"
    path.write_text(text.replace(old, new, 1))


DB_POLICY = "charts/acme-platform/charts/database/templates/networkpolicy.yaml"
API_PEER = """        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: acme
              app.kubernetes.io/component: api
"""

# (id, file, old text, new text, harness selection, check id, object)
MUTATIONS = [
    ("readiness-probe-removed", "charts/acme-lib/templates/_pod.tpl", 'list "startup" "readiness" "liveness"',
     'list "startup" "liveness"', ("--chart", "acme-api", "--only", "probes.readiness"),
     "probes.readiness", "Deployment/acme/acme-api"),
    ("max-unavailable-100-percent", "charts/acme-ui/values.yaml", "  maxUnavailable: 1\n", '  maxUnavailable: "100%"\n',
     ("--chart", "acme-ui", "--only", "rollout.max-unavailable"), "rollout.max-unavailable", "Deployment/acme/acme-ui"),
    ("tls-host-dropped", "charts/acme-lib/templates/_objects.tpl", "{{- toYaml .hosts | nindent 8 }}",
     "{{- toYaml (rest .hosts) | nindent 8 }}", ("--chart", "acme-ui", "--only", "tls.hosts"),
     "tls.hosts", "Ingress/acme/acme-ui"),
    ("database-open-to-all-pods", DB_POLICY, API_PEER, "        - podSelector: {}\n",
     ("--env", "local", "--only", "isolation"), "isolation.ingress", "NetworkPolicy/acme/acme-db-ingress"),
    ("metrics-exposed-by-load-balancer", "charts/acme-platform/charts/metrics-collector/templates/service.yaml",
     "type: ClusterIP", "type: LoadBalancer", ("--env", "local", "--only", "isolation.exposure"),
     "isolation.exposure", "Service/acme/acme-metrics"),
    ("metrics-service-port-moved", "charts/acme-platform/charts/metrics-collector/templates/service.yaml",
     "port: 80\n", "port: 8081\n", ("--env", "local", "--only", "contracts"),
     "contracts.metrics-url", "Deployment/acme/acme-api"),
]


@pytest.mark.parametrize(("relative", "old", "new", "selection", "check_id", "obj"),
                         [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_mutation_is_reported(project_copy, tmp_path, relative, old, new, selection, check_id, obj):
    mutate(project_copy, relative, old, new)
    code, report = check(project_copy, tmp_path, *selection)
    found = {(f["check"], f["object"]) for f in report["findings"]}
    assert code == 1 and (check_id, obj) in found, report["findings"] or report


def test_upgrade_safety_reports_immutable_field_change(project_copy, tmp_path):
    """StatefulSet volumeClaimTemplates changed against the base ref: `helm upgrade` would be rejected."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                       cwd=project_copy, check=True, capture_output=True)

    git("init", "-q")
    git("add", "charts")
    git("commit", "-q", "-m", "base")
    mutate(project_copy, "charts/acme-platform/charts/database/templates/statefulset.yaml",
           'accessModes: ["ReadWriteOnce"]', 'accessModes: ["ReadWriteOncePod"]')
    code, report = check(project_copy, tmp_path, "--chart", "acme-platform", "--only", "upgrade", "--base-ref", "HEAD")
    found = {(f["check"], f["object"], f["field"]) for f in report["findings"]}
    assert code == 1 and ("upgrade.immutable-fields", "StatefulSet/acme/acme-db", "spec.volumeClaimTemplates") in found


def without_secrets(doc: dict) -> dict:
    """Generated passwords differ on every render: compare a Secret's keys, not its values."""
    if doc.get("kind") != "Secret":
        return doc
    return {**doc, **{field: sorted(doc.get(field) or {}) for field in ("data", "stringData")}}


def test_environment_render_equals_helmfile_template(real_project):
    """Rendering the releases with helm directly gives exactly what `helmfile template` gives."""
    import subprocess

    from harness.render.helmfile import load_state
    from harness.core.project import Project
    from harness.render.renderer import Renderer, RenderJob
    from harness.core.yamlio import load_all

    project = Project(real_project)
    assert project.helmfile.exists(), "helmfile.yaml(.gotmpl) missing"
    assert (project.root / ".tools" / "bin" / "helmfile").exists(), "no .tools/bin/helmfile: run `make tools`"
    state = load_state(project, "local")
    jobs = [RenderJob(r.chart_dir, r.name, r.namespace, r.values_files) for r in state.releases]
    ours = [doc for result in Renderer(project).render_all(jobs) for doc in result.documents]
    proc = subprocess.run([str(project.tool("helmfile")), "-f", str(project.helmfile), "-e", "local", "template",
                           "--skip-deps", "--args", "--skip-tests --kube-version " + project.kube_version],
                          cwd=project.root, env=project.tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    theirs = load_all(proc.stdout, "helmfile template")

    def index(docs):
        return {(d["kind"], (d.get("metadata") or {}).get("namespace", ""), d["metadata"]["name"]): without_secrets(d)
                for d in docs}

    assert index(ours) == index(theirs)


@pytest.mark.parametrize("env", ["local", "staging", "production"])
def test_the_release_list_is_the_helmfiles(real_project, env):
    """core/project.RELEASES (what smoke expects deployed, the fallback without a helmfile) is the
    helmfile's own list of local-chart releases, in its `needs:` order."""
    from harness.core.project import RELEASES, Project
    from harness.render.helmfile import load_state

    state = load_state(Project(real_project), env)
    assert tuple(r.name for r in state.releases) == RELEASES
    for position, release in enumerate(state.releases):
        later = set(RELEASES[position:])
        assert not later & set(release.needs), f"{release.name} needs a release listed after it"


def test_lint_reports_readme_drift_naming_the_chart(project_copy, capsys):
    mutate(project_copy, "charts/acme-ui/values.yaml", "# -- ", "# -- Changed without regenerating the README. ")
    code = main(["lint", "--chart", "acme-ui"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and any(line.startswith("FAIL helm-docs acme-ui:") for line in err), err


def test_flows_of_local_are_exactly_the_intended_ones(real_project, capsys):
    assert main(["flows", "--env", "local", "--format", "json"]) == 0
    flows = json.loads(capsys.readouterr().out)["flows"]
    assert flows and all(flow["intended"] for flow in flows), flows


def test_lint_reports_a_broken_template_naming_chart_and_scenario(project_copy, capsys):
    mutate(project_copy, "charts/acme-ui/templates/service.yaml", "{{- include", "{{ .Values.nope.nope }}\n{{- include")
    code = main(["lint", "--chart", "acme-ui"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and any(line.startswith("FAIL helm lint acme-ui [ci/") for line in err), err
