"""The local images as `make tools` built them (.tools/images/index.json), and ways to run them.

A root file system unpacked from an image runs under chroot with the chart's uid, which needs
root (as `make test` already does for its apt step); without root those tests say so and skip.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
# The loopback PostgreSQL of the backup tests, and the harness render helpers.
sys.path[:0] = [str(HERE), str(HERE.parent / "backup"), str(HERE.parent / "observability")]

from running import ACME_IMAGE, REPO_ROOT, needs_root  # noqa: E402
from services import Postgres, running_postgres  # noqa: E402

from harness.core.project import Project  # noqa: E402
from harness.deploy.images.index import Image, load_index  # noqa: E402


@pytest.fixture(scope="session")
def images() -> dict[str, Image]:
    """The built images by name; a failure (not a skip) when `make tools` has not built them."""
    if not ACME_IMAGE.exists():
        pytest.fail(f"{ACME_IMAGE} missing: run make tools (or make images)")
    return load_index(Project(REPO_ROOT))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def rootfs(tmp_path_factory, images):
    """rootfs(name) -> a fresh writable copy of the image's files, plus the /dev entries the
    container runtime provides and chroot does not."""
    unpacked: dict[str, Path] = {}

    def make(name: str) -> Path:
        needs_root()
        if name not in unpacked:
            unpacked[name] = images[name].extract(tmp_path_factory.mktemp(f"{name}-image"))
        root = tmp_path_factory.mktemp(f"{name}-root")
        shutil.copytree(unpacked[name], root, symlinks=True, dirs_exist_ok=True)
        os.chmod(root, 0o755)  # pytest makes its directories 0700; the image's / is 0755
        (root / "dev").mkdir(exist_ok=True)
        for device in ("stdout", "stderr"):
            (root / "dev" / device).touch(mode=0o666)
            os.chmod(root / "dev" / device, 0o666)
        # The character devices every container gets (the AWS CLI's TLS library reads urandom).
        for device, minor in (("null", 3), ("zero", 5), ("random", 8), ("urandom", 9)):
            os.mknod(root / "dev" / device, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            os.chmod(root / "dev" / device, 0o666)
        return root

    return make
