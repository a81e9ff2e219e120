"""`python -m harness.deploy.images list|values`: the local images and the values that pin them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...core.errors import HarnessError
from ...core.project import Project
from .index import load_index
from .values import write_overlay


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.deploy.images", description=__doc__)
    parser.add_argument("--index", type=Path, help="image index (default .tools/images/index.json)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="name, reference, digest and size of every built image")
    values = sub.add_parser("values", help="write per-release values files pinning the local images by digest")
    values.add_argument("--out", type=Path, help="directory (default build/images/values)")
    args = parser.parse_args(argv)
    try:
        project = Project.discover()
        images = load_index(project, args.index)
        if args.command == "list":
            for image in images.values():
                print(f"{image.name:12} {image.ref:28} {image.digest}  {image.size / 1e6:7.1f} MB")
        else:
            for path in write_overlay(images, args.out or project.root / "build" / "images" / "values"):
                print(f"images: wrote {path}")
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
