"""`harness package`: `helm package` every chart and, with --push, push each archive to an OCI
registry and pull it back to prove the registry serves exactly the bytes that were packaged."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from ..render.renderer import Renderer
from ..tools import helm as helm_tool
from .versioning import chart_version

# `helm push` and `helm pull` both print the OCI manifest digest on a "Digest:" line.
_DIGEST = re.compile(r"^Digest:\s*(sha256:[0-9a-f]{64})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Package:
    chart: str
    version: str
    archive: Path

    @property
    def sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.archive.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Published:
    package: Package
    reference: str  # oci://host/repo/chart:version
    digest: str  # the OCI manifest digest the registry answered the push with
    pulled_digest: str = ""
    pulled_sha256: str = ""
    existed: bool = False  # the registry already had this version: nothing pushed

    @property
    def verified(self) -> bool:
        return self.pulled_digest == self.digest and self.pulled_sha256 == self.package.sha256


def _digest(output: str, what: str) -> str:
    match = _DIGEST.search(output)
    if not match:
        raise HarnessError(f"{what}: helm printed no `Digest:` line")
    return match.group(1)


def package(project: Project, charts: list[str], out_dir: Path, helm: Path | None = None) -> list[Package]:
    """`helm package` each chart (file:// dependencies vendored first) into out_dir."""
    renderer = Renderer(project, helm=helm, use_cache=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    packages = []
    for chart in charts:
        chart_dir = project.charts_dir / chart
        if not (chart_dir / "Chart.yaml").exists():
            raise HarnessError(f"unknown chart `{chart}` (no {chart_dir / 'Chart.yaml'})")
        renderer.ensure_dependencies(chart_dir)
        version = chart_version(chart_dir)
        helm_tool.call(renderer.helm, "package", str(chart_dir), "--destination", str(out_dir), what=f"helm package {chart}")
        packages.append(Package(chart, version, out_dir / f"{chart}-{version}.tgz"))
    return packages


def publish(helm: Path, pkg: Package, registry: str, plain_http: bool) -> Published:
    """Push unless the version exists, then verify what the registry serves under it."""
    if not registry.startswith("oci://"):
        raise HarnessError(f"--push: expected an oci:// reference, got {registry!r}")
    registry = registry.rstrip("/")
    flags = ["--plain-http"] if plain_http else []
    reference = f"{registry}/{pkg.chart}"
    if helm_tool.chart_exists(helm, reference, pkg.version, flags):
        # A released version is immutable: `helm package` is not byte-reproducible, so a
        # re-push would give users different bytes under the same version.
        return Published(pkg, f"{reference}:{pkg.version}", "", existed=True)
    pushed = helm_tool.call(helm, "push", str(pkg.archive), registry, *flags, what=f"helm push {pkg.chart}")
    return verify(helm, pkg, reference, _digest(pushed, f"helm push {pkg.chart}"), plain_http)


def verify(helm: Path, pkg: Package, reference: str, digest: str, plain_http: bool) -> Published:
    """Pull into an empty directory with an empty content cache (so the bytes come from the
    registry, not from helm's local cache) and record the digest and the archive's sha256."""
    flags = ["--plain-http"] if plain_http else []
    with tempfile.TemporaryDirectory(prefix="acme-pull-") as scratch:
        dest, cache = Path(scratch) / "charts", Path(scratch) / "cache"
        dest.mkdir()  # helm pull does not create its --destination
        pulled = helm_tool.call(helm, "pull", reference, "--version", pkg.version, "--destination", str(dest),
                       "--content-cache", str(cache), *flags, what=f"helm pull {reference}")
        archive = dest / pkg.archive.name
        if not archive.exists():
            raise HarnessError(f"helm pull {reference}: no {archive.name} in the download")
        pulled_sha = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    return Published(pkg, f"{reference}:{pkg.version}", digest, _digest(pulled, f"helm pull {reference}"), pulled_sha)
