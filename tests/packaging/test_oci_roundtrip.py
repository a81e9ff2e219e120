"""Package every chart, push to a loopback OCI registry, pull back into an empty cache and compare
digests; a tampered registry is caught; a published version is never pushed again; bad input is
one line. The install from the OCI reference runs on the local cluster (e2e, below)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.core.project import Project
from harness.publish.packaging import package, publish, verify
from harness.publish.versioning import chart_version

REPO_ROOT = Path(__file__).resolve().parents[2]
CHARTS = ["acme-api", "acme-lib", "acme-platform", "acme-ui"]


def harness(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600)


def test_every_chart_round_trips_with_identical_digests(oci_registry: str, tmp_path: Path) -> None:
    started = time.monotonic()
    done = harness("package", "--out", str(tmp_path), "--push", f"oci://{oci_registry}/acme", "--plain-http")
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    versions = {c: chart_version(REPO_ROOT / "charts" / c) for c in CHARTS}
    assert sorted(line.split()[0] for line in lines) == [f"oci://{oci_registry}/acme/{c}:{versions[c]}" for c in CHARTS]
    assert all(line.endswith("verified") for line in lines), lines
    print(f"OCI round trip of {len(CHARTS)} charts: {seconds:.1f} s")

    again = harness("package", "--out", str(tmp_path), "--push", f"oci://{oci_registry}/acme", "--plain-http")
    assert again.returncode == 0 and again.stdout.count("already published") == len(CHARTS)


def test_a_registry_serving_other_bytes_is_caught(oci_registry: str, tmp_path: Path) -> None:
    """Someone overwrites the tag with another archive after our push: the pull-back differs."""
    project = Project.discover()
    helm = project.tool("helm")
    [ui] = package(project, ["acme-ui"], tmp_path / "ours")
    published = publish(helm, ui, f"oci://{oci_registry}/tamper", plain_http=True)
    assert published.verified

    forged_chart = tmp_path / "forged" / "acme-ui"
    shutil.copytree(project.charts_dir / "acme-ui", forged_chart)
    (forged_chart / "templates" / "zz-extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    subprocess.run([str(helm), "package", str(forged_chart), "-d", str(tmp_path / "forged")], check=True,
                   capture_output=True)
    subprocess.run([str(helm), "push", str(tmp_path / "forged" / ui.archive.name), f"oci://{oci_registry}/tamper",
                    "--plain-http"], check=True, capture_output=True)

    again = verify(helm, ui, f"oci://{oci_registry}/tamper/acme-ui", published.digest, plain_http=True)
    assert not again.verified
    assert again.pulled_digest != published.digest and again.pulled_sha256 != ui.sha256


@pytest.mark.parametrize(("args", "message"), [
    (("--chart", "nope"), "unknown chart `nope`"),
    (("--chart", "acme-ui", "--push", "https://example.com/charts"), "expected an oci:// reference"),
    (("--chart", "acme-ui", "--push", "oci://127.0.0.1:1/acme", "--plain-http"), "helm push acme-ui"),
], ids=["unknown-chart", "not-oci", "registry-down"])
def test_bad_input_is_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = harness("package", *args, "--out", str(tmp_path))
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
