"""`harness images list|values`: the local images `make tools` builds and the values that pin them."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.project import Project
from .base import OK, command, existing_file, group


def add_commands(sub: argparse._SubParsersAction) -> None:
    images = group(sub, "images", "list|values: the local images (docs/local-images.md), values pinning them by digest")
    listing = command(images, "list", _list, "name, reference, digest and size of every built image")
    _index(listing)
    values = command(images, "values", _values, "write per-release values files pinning the local images by digest")
    _index(values)
    values.add_argument("--out", type=Path, help="directory (default build/images/values)")


def _index(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=existing_file, help="image index (default .tools/images/index.json)")


def _list(args: argparse.Namespace) -> int:
    from ..deploy.images.index import load_index

    for image in load_index(Project.discover(), args.index).values():
        print(f"{image.name:12} {image.ref:28} {image.digest}  {image.size / 1e6:7.1f} MB")
    return OK


def _values(args: argparse.Namespace) -> int:
    from ..deploy.images.index import load_index
    from ..deploy.images.values import write_overlay

    project = Project.discover()
    for path in write_overlay(load_index(project, args.index), args.out or project.root / "build" / "images" / "values"):
        print(f"images: wrote {path}")
    return OK
