"""`harness release --env local` on the local cluster, both endings a release can have without a human:

1. a release that passes smoke completes (exit 0) with a Markdown and JUnit report;
2. a release whose smoke fails (a new domain that has no certificate yet: render checks and
   helm's --wait cannot see that, only the certificate.valid smoke check can) is rolled back
   automatically (exit 5), and the previous revision passes smoke again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from harness.deploy.smoke import runner
from harness.live import snapshot
from harness.live.releases import revisions

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
# What `helmfile -e local apply` reads; the local cluster's state is linked, not copied.
PARTS = ("charts", "values", "policy", "helmfile.yaml.gotmpl", "tools/kubernetes/tool.env")
# Long enough for kwok pods to turn Ready after an upgrade, short enough to fail fast on a real defect.
SETTLE = "30"


def release(project: Path, reports: Path, *flags: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([str(PYTHON), "-m", "harness", "release", "--env", "local", "--report-dir", str(reports),
                           "--settle", SETTLE, *flags], cwd=project, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "ACME_ROOT": str(project)})
    return done, time.monotonic() - started


def test_release_that_passes_smoke_completes_with_a_report(deployed, tmp_path: Path) -> None:
    done, seconds = release(REPO_ROOT, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = (tmp_path / "release-local.md").read_text()
    assert "**Result: exit 0 — released: every smoke check passed**" in report
    assert "| preflight: render checks | PASS |" in report and "## Smoke checks after the deploy" in report
    suites = {s.get("name"): s for s in ET.parse(tmp_path / "release-local.xml").getroot()}
    assert suites["release/local"].get("failures") == "0" and suites["smoke/local"].get("failures") == "0"
    print(f"release with preflight: {seconds:.1f} s")


@pytest.fixture
def new_domain_project(tmp_path: Path) -> Path:
    """The project with one more UI host, sharing the local cluster's kubeconfig and CA."""
    root = tmp_path / "project"
    for part in PARTS:
        source, target = REPO_ROOT / part, root / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    (root / ".tools").symlink_to(REPO_ROOT / ".tools")
    (root / ".cache").mkdir()
    for state in ("cluster", "kwok"):
        (root / ".cache" / state).symlink_to(REPO_ROOT / ".cache" / state)
    values = root / "values" / "acme-ui" / "local.yaml"
    values.write_text(values.read_text() + "hosts:\n  - www.acme.com\n  - shop.acme.com\n")
    return root


def test_release_whose_smoke_fails_is_rolled_back_and_the_old_revision_passes(api, deployed, new_domain_project,
                                                                                tmp_path: Path) -> None:
    ns = deployed.namespace
    before = {name: revs[0].version for name, revs in revisions(snapshot.load(api, ns).release_secrets).items()}

    # The gates ran in the test above on the same charts; this one is about what happens after the apply.
    done, seconds = release(new_domain_project, tmp_path, "--skip-preflight")
    assert done.returncode == 5, done.stdout[-3000:] + done.stderr
    report = (tmp_path / "release-local.md").read_text()
    assert "| `certificate.valid` | FAIL |" in report and "shop.acme.com" in report
    assert f"| acme-ui | {before['acme-ui']} | {before['acme-ui'] + 1} | {before['acme-ui']} |" in report
    assert "| acme-api |" not in report, "only what this run changed is rolled back"
    suites = {s.get("name"): s for s in ET.parse(tmp_path / "release-local.xml").getroot()}
    assert suites["smoke/local"].get("failures") != "0"
    assert suites["smoke-after-rollback/local"].get("failures") == "0"

    # Independently of the flow's own verification: the rolled-back revision is deployed and healthy.
    after = revisions(snapshot.load(api, ns).release_secrets)
    assert after["acme-ui"][0].version == before["acme-ui"] + 2 and after["acme-ui"][0].status == "deployed"
    assert after["acme-api"][0].version == before["acme-api"]
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, ns), deployed, 60)
    assert not runner.failed(outcomes), [(o.check.id, o.findings) for o in outcomes if o.findings]
    print(f"release, failed smoke, rollback, smoke again: {seconds:.1f} s")
