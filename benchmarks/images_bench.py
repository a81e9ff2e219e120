"""Image build benchmark: cold and warm `acme-image build` of every local image.

Prints, per image and in total:
  - cold: empty image cache, empty .deb download directory and an empty Go build cache (the Go
    module cache is shared: its modules are verified against go.sum either way)
  - warm: the same caches again (what `make tools` costs when nothing under images/ changed)
  - compressed size (the OCI blobs the node imports) and the manifest digest
  - whether a second cold build into other caches gives the same digests

Usage: .venv/bin/python benchmarks/images_bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACME_IMAGE = ROOT / ".tools" / "bin" / "acme-image"


def build(cache: Path, debs: Path, gocache: Path) -> tuple[float, dict]:
    env = {**os.environ, "GOCACHE": str(gocache)}
    started = time.perf_counter()
    subprocess.run([ACME_IMAGE, "build", "-root", ROOT, "-cache", cache, "-debs", debs, "-index", cache / "index.json"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    took = time.perf_counter() - started
    return took, json.loads((cache / "index.json").read_text())["images"]


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    if not ACME_IMAGE.exists():
        print(f"error: {ACME_IMAGE} missing; run make tools", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="acme-images-bench-") as scratch:
        base = Path(scratch)
        cold, images = build(base / "a", base / "a-debs", base / "a-go")
        warm, again = build(base / "a", base / "a-debs", base / "a-go")
        _, other = build(base / "b", base / "b-debs", base / "b-go")
    print(f"{'image':12} {'size MB':>8}  digest")
    for name, entry in sorted(images.items()):
        print(f"{name:12} {entry['size'] / 1e6:8.1f}  {entry['digest']}")
    same = {n: e["digest"] for n, e in images.items()} == {n: e["digest"] for n, e in other.items()}
    print(f"cold build (downloads, Go compile, layers): {cold:.1f} s")
    print(f"warm build (nothing changed):               {warm:.1f} s")
    print(f"total size: {sum(e['size'] for e in images.values()) / 1e6:.1f} MB")
    print(f"second cold build, other caches, same digests: {'yes' if same else 'NO'}")
    return 0 if same and again == images else 1


if __name__ == "__main__":
    sys.exit(main())
