"""containerd's `ctr`, inside the real node's namespaces: importing the local images."""

from __future__ import annotations

from pathlib import Path

from .nsenter import run_inside

NAMESPACE = "k8s.io"  # the CRI plugin's containerd namespace: kubelet sees only images there


def import_image(ctr: Path, holder: int, address: str, archive: Path, name: str, ref: str, by_digest: str) -> None:
    """Import the archive (it names the image `ref`, repository:tag) and add the by-digest name
    `by_digest` (repository@digest) a pull would have recorded: the local values pin every image by digest,
    and the CRI plugin finds a digest reference only under that name."""
    base = [ctr, "--address", address, "-n", NAMESPACE, "images"]
    run_inside(holder, *base, "import", "--local", archive, what=f"ctr images import {name} ({archive})", timeout=120)
    listed = run_inside(holder, *base, "list", "--quiet", what="ctr images list")
    if by_digest not in listed.split():
        run_inside(holder, *base, "tag", ref, by_digest, what=f"ctr images tag {name} {by_digest}")
