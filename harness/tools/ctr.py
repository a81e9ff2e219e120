"""containerd's `ctr`, inside the real node's namespaces: importing the local images."""

from __future__ import annotations

from pathlib import Path

from .nsenter import run_inside

NAMESPACE = "k8s.io"  # the CRI plugin's containerd namespace: kubelet sees only images there


def import_image(ctr: Path, holder: int, address: str, archive: Path, name: str) -> None:
    run_inside(holder, ctr, "--address", address, "-n", NAMESPACE, "images", "import", "--local", archive,
               what=f"ctr images import {name} ({archive})", timeout=120)
