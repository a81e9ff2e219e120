"""acme-image: the same inputs give the same digests, a changed input changes its image only,
and bad input or a stale pin is one clear line with exit 2."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from running import ACME_IMAGE, REPO_ROOT

from harness.core.project import Project
from harness.deploy.images.index import Image, load_index


def debs_dir(images: dict[str, Image]) -> Path:
    """The tool cache's downloaded packages (content-addressed, checked on every use)."""
    return next(iter(images.values())).archive.parents[1] / "debs"


def build(root: Path, cache: Path, debs: Path, *names: str) -> subprocess.CompletedProcess[str]:
    index = cache / "index.json"
    return subprocess.run([ACME_IMAGE, "build", "-root", root, "-cache", cache, "-debs", debs, "-index", index, *names],
                          capture_output=True, text=True, timeout=900)


def built(root: Path, cache: Path) -> dict[str, Image]:
    return load_index(Project(root), cache / "index.json")


@pytest.fixture
def project_images(tmp_path) -> Path:
    """A copy of images/ (specs, lock, sources) to change without touching the repository."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "images", root / "images")
    return root


@pytest.mark.slow
def test_two_cold_builds_give_the_same_digests_as_make_tools(images, tmp_path) -> None:
    """Each build starts from an empty image cache; only the verified .deb downloads are shared."""
    digests = []
    for run in ("first", "second"):
        result = build(REPO_ROOT, tmp_path / run, debs_dir(images))
        assert result.returncode == 0, result.stderr
        digests.append({name: image.digest for name, image in built(REPO_ROOT, tmp_path / run).items()})
    assert digests[0] == digests[1]
    assert digests[0] == {name: image.digest for name, image in images.items()}
    first, second = (tmp_path / run for run in ("first", "second"))
    for name, image in built(REPO_ROOT, first).items():
        assert image.archive.read_bytes() == (second / image.archive.relative_to(first)).read_bytes(), name


def test_a_changed_asset_changes_that_image_only(images, project_images, tmp_path) -> None:
    script = project_images / "images" / "ui" / "site" / "assets" / "app.js"
    script.write_text(script.read_text() + "// changed\n")
    result = build(project_images, tmp_path / "cache", debs_dir(images), "ui", "pause")
    assert result.returncode == 0, result.stderr
    rebuilt = built(project_images, tmp_path / "cache")
    assert rebuilt["pause"].digest == images["pause"].digest
    assert rebuilt["ui"].digest != images["ui"].digest
    # The new content has a new name, and the page names the new file.
    old = {p for p in images["ui"].files if p.startswith("/usr/share/nginx/html/assets/app.")}
    new = {p for p in rebuilt["ui"].files if p.startswith("/usr/share/nginx/html/assets/app.")}
    assert {Path(p).suffix for p in new} == {".css", ".js"} and old != new
    page = rebuilt["ui"].extract(tmp_path / "ui") / "usr/share/nginx/html/index.html"
    (script_name,) = (Path(p).name for p in new if p.endswith(".js"))
    assert f'src="/assets/{script_name}"' in page.read_text()


def run_bad(root: Path, tmp_path: Path, *names: str, debs: Path | None = None) -> str:
    result = build(root, tmp_path / "cache", debs or tmp_path / "debs", *names)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "panic" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_unknown_image_is_named(project_images, tmp_path) -> None:
    assert "unknown image \"no-such\"" in run_bad(project_images, tmp_path, "no-such")


def linked_debs(images: dict[str, Image], tmp_path: Path) -> Path:
    """A private package directory linking the cached downloads (no test reaches Debian's mirrors)."""
    debs = tmp_path / "debs"
    debs.mkdir()
    for deb in debs_dir(images).glob("*.deb"):
        (debs / deb.name).symlink_to(deb)
    return debs


def repin(root: Path, package: str, version: str) -> str:
    """Points the lock at a version apt does not know; returns the package's pinned SHA-256."""
    lock_path = root / "images" / "debian.lock.json"
    lock = json.loads(lock_path.read_text())
    lock["packages"][package]["version"] = version
    lock_path.write_text(json.dumps(lock))
    return lock["packages"][package]["sha256"]


def test_a_version_debian_no_longer_serves_says_how_to_repin(images, project_images, tmp_path) -> None:
    debs = linked_debs(images, tmp_path)
    (debs / f"{repin(project_images, 'nginx', '0.0.1-gone')}.deb").unlink()  # not downloaded yet
    line = run_bad(project_images, tmp_path, "ui", debs=debs)
    assert "apt-get download of the pinned packages failed" in line and "make images-lock" in line
    assert "0.0.1-gone" in line


def test_a_package_added_without_a_pin_says_how_to_repin(project_images, tmp_path) -> None:
    spec_path = project_images / "images" / "ui" / "image.json"
    spec = json.loads(spec_path.read_text())
    spec["debian"]["packages"].append("libxml2")
    spec_path.write_text(json.dumps(spec))
    line = run_bad(project_images, tmp_path, "ui")
    assert "does not pin libxml2 for image ui" in line and "make images-lock" in line


def test_a_spec_without_a_user_is_refused(project_images, tmp_path) -> None:
    spec_path = project_images / "images" / "pause" / "image.json"
    spec = json.loads(spec_path.read_text())
    del spec["config"]["user"]
    spec_path.write_text(json.dumps(spec))
    assert "images/pause/image.json: config.user is required" in run_bad(project_images, tmp_path, "pause")


def test_a_corrupted_download_is_not_used(images, project_images, tmp_path) -> None:
    """A cached .deb whose bytes no longer match the pin is fetched again, never unpacked: with
    the version gone from apt, that fetch fails instead of building from the bad file."""
    debs = linked_debs(images, tmp_path)
    pin = repin(project_images, "nginx", "0.0.1-gone")
    (debs / f"{pin}.deb").unlink()
    (debs / f"{pin}.deb").write_bytes(b"not a package")
    line = run_bad(project_images, tmp_path, "ui", debs=debs)
    assert "apt-get download of the pinned packages failed" in line
