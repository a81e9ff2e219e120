"""Each chart container that runs a local image agrees with it (user, ports, command, probes,
env), rendered with the generated values that pin the image by digest; and every kind of
disagreement is reported."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rendered import find, render_values
from running import REPO_ROOT, stop

from harness.core.project import Project
from harness.deploy.images.contract import USES, Use, find_container, mismatches, pod_spec, reference
from harness.deploy.images.index import Image
from harness.deploy.images.values import Placement, overlay as image_overlay, write_overlay
from harness.deploy.node.agents import NODE_LABELS, NODE_TOLERATION

# What the deploy path passes while the real node runs (harness/deploy/release/deploy.py).
REAL_NODE = Placement(NODE_LABELS, (NODE_TOLERATION,))

# The platform's local layer turns backups off (no object storage); the contract of the backup
# job's containers is checked with them on.
BACKUP_ON = {"backup": {"enabled": True, "objectStorage": {"bucket": "acme-backups", "cidrs": ["10.0.0.0/8"]},
                        "restoreDrill": {"enabled": True}}}


@pytest.fixture(scope="module")
def overlay(images, tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("image-values")
    paths = {path.stem: path for path in write_overlay(images, directory, REAL_NODE)}
    backup = directory / "backup-on.yaml"
    backup.write_text(yaml.safe_dump(BACKUP_ON))
    paths["backup-on"] = backup
    return paths


@pytest.fixture(scope="module")
def rendered(overlay) -> dict[str, list[dict]]:
    values_dir = Project(REPO_ROOT).values_dir
    releases = {}
    for release in sorted({use.release for use in USES}):
        files = [values_dir / release / "local.yaml", overlay[release]]
        if release == "acme-platform":
            files.append(overlay["backup-on"])
        releases[release] = render_values(release, tuple(files))
    return releases


def container_of(rendered, use: Use) -> tuple[dict, dict]:
    pod = pod_spec(find(rendered[use.release], use.kind, use.name))
    container = find_container(pod, use.container)
    assert container is not None, f"{use.kind}/{use.name} has no container {use.container}"
    return pod, container


@pytest.mark.parametrize("use", USES, ids=[f"{u.image}-{u.name}-{u.container}" for u in USES])
def test_workloads_with_a_placement_land_on_the_real_node(rendered, use) -> None:
    pod, _ = container_of(rendered, use)
    if use.placement is None:  # the chart offers none: its pods stay on the simulated nodes
        assert "node.acme.dev/real" not in (pod.get("nodeSelector") or {})
        return
    assert pod["nodeSelector"] == NODE_LABELS
    assert pod["tolerations"] == [NODE_TOLERATION]


def test_without_a_placement_the_layer_pins_images_only(images) -> None:
    plain = image_overlay(images)
    assert "nodeSelector" not in plain["acme-api"] and "tolerations" not in plain["acme-api"]
    assert plain["acme-api"]["image"]["digest"] == images["api"].digest


def test_every_use_names_a_built_image(images) -> None:
    assert {use.image for use in USES} <= set(images)


@pytest.mark.parametrize("use", USES, ids=[f"{u.image}-{u.name}-{u.container}" for u in USES])
def test_rendered_container_runs_the_pinned_image_and_fits_it(images, rendered, use) -> None:
    pod, container = container_of(rendered, use)
    image = images[use.image]
    assert container["image"] == reference(image)
    assert mismatches(image, pod, container) == []


@pytest.fixture
def api_container(rendered) -> tuple[dict, dict]:
    """A deep copy of the rendered API pod and its container, for breaking."""
    pod, _ = container_of(rendered, USES[0])
    pod = copy.deepcopy(pod)
    return pod, find_container(pod, "api")


def test_another_uid_than_the_images_is_reported(images, api_container) -> None:
    pod, container = api_container
    pod["securityContext"]["runAsUser"] = 1000
    assert mismatches(images["api"], pod, container) == ["securityContext.runAsUser 1000 differs from the image's uid 10001"]


def test_a_container_uid_wins_over_the_pods(images, api_container) -> None:
    pod, container = api_container
    container["securityContext"]["runAsUser"] = 4242
    assert mismatches(images["api"], pod, container) == ["securityContext.runAsUser 4242 differs from the image's uid 10001"]


def test_a_port_the_image_does_not_expose_is_reported(images, api_container) -> None:
    pod, container = api_container
    container["ports"].append({"name": "debug", "containerPort": 7070, "protocol": "TCP"})
    assert mismatches(images["api"], pod, container) == [
        "ports debug=7070/tcp is not exposed by the image (8080/tcp, 9090/tcp)"]


def test_a_command_missing_from_the_image_is_reported(images, api_container) -> None:
    pod, container = api_container
    container["command"] = ["/bin/sh", "-c", "exec acme-api"]
    assert mismatches(images["api"], pod, container) == ["command /bin/sh is not an executable in the image"]


def test_an_exec_probe_the_image_cannot_run_is_reported(images, api_container) -> None:
    pod, container = api_container
    container["livenessProbe"] = {"exec": {"command": ["bash", "-c", "true"]}}
    assert mismatches(images["api"], pod, container) == ["livenessProbe runs bash, which is not an executable in the image"]


def test_an_env_default_the_chart_contradicts_is_reported(images, api_container) -> None:
    pod, container = api_container
    next(var for var in container["env"] if var["name"] == "PORT")["value"] = "9000"
    assert mismatches(images["api"], pod, container) == ["env PORT='9000' differs from the image's default '8080'"]


def test_an_image_running_as_root_or_a_name_is_reported(images, api_container) -> None:
    pod, container = api_container
    for user, message in (("0", "image User is root (uid 0); the chart requires runAsNonRoot"),
                          ("acme", "image User 'acme' is not a numeric uid (runAsNonRoot cannot verify a name)")):
        image = copy.copy(images["api"])
        image.__dict__["config"] = {**images["api"].config, "User": user}
        assert mismatches(image, pod, container) == [message]


def test_pause_reports_its_version_and_exits_on_sigterm(images, tmp_path) -> None:
    """The sandbox image the node runs next to every pod: Kubernetes' pause at the pinned tag."""
    image: Image = images["pause"]
    binary = image.extract(tmp_path / "pause") / image.config["Entrypoint"][0].lstrip("/")
    version = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10)
    assert version.returncode == 0 and f"v{image.tag}" in version.stdout + version.stderr
    process = subprocess.Popen([binary], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        pass
    assert process.poll() is None, "pause exited on its own"
    assert stop(process) == 0


def test_values_command_writes_one_file_per_release(images, tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "harness", "images", "values", "--out", tmp_path],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted({f"{use.release}.yaml" for use in USES})
    api = yaml.safe_load((tmp_path / "acme-api.yaml").read_text())
    assert api["image"] == {"repository": "acme.local/api", "tag": "local", "digest": images["api"].digest}


def test_values_command_without_an_index_is_one_line_and_exit_2(tmp_path) -> None:
    (tmp_path / "charts").mkdir()  # a project whose images were never built
    env = {**os.environ, "ACME_ROOT": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-m", "harness", "images", "values"], env=env,
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 2
    index = tmp_path / ".tools" / "images" / "index.json"
    assert result.stderr == f"harness images values: error: no image index at {index}; run: make images\n"
