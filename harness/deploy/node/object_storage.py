"""The real node's S3-compatible object store (cluster/addons/object-storage.yaml): moto's server from
the pinned venv the backup round trip uses (tests/backup/install-deps.sh makes it), run by the backup
image's Python, and the address the harness reaches it on."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import HarnessError
from .agents import local_images
from .settings import NodeSettings

PORT = 9000  # container, Service and host port (the node's address)
IMAGE = "backup"  # the local image whose Python runs the server: Debian's 3.11, as the venv's


def site_packages(settings: NodeSettings) -> Path:
    venv = settings.cluster.project.root / ".cache" / "backup-s3" / "venv"
    found = sorted(venv.glob("lib/python3.*/site-packages"))
    if not found or not (found[-1] / "moto").is_dir():
        raise HarnessError(f"node: no moto S3 server in {venv} (the local object store's packages); "
                           "run: make backup-deps")
    return found[-1].resolve()


def placeholders(settings: NodeSettings) -> dict[str, str]:
    images = local_images(settings)
    if IMAGE not in images:
        raise HarnessError(f"node: the local images have no {IMAGE} image (the object store's Python); run: make images")
    return {"image": images[IMAGE].ref, "site_packages": str(site_packages(settings)), "port": str(PORT)}


def base_url(settings: NodeSettings) -> str:
    return f"http://{settings.node_ip}:{PORT}"
