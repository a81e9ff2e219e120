"""Content-addressed render cache under .cache/render/.

The key covers everything that can change helm's output: every file of the chart and of
its file:// dependencies, the values layers, the helm build, the kube version and the
release coordinates. An unchanged rerun is a lookup; a changed chart gets a new key, so a
stale render is never served. Entries are pickles of the parsed documents (our own files,
never shared): they load an order of magnitude faster than re-parsing YAML and keep the
types the YAML loader produced.
"""

from __future__ import annotations

import hashlib
import pickle
import os
import tempfile
from pathlib import Path
from typing import Any

from ..core.yamlio import load_yaml_file

CACHE_FORMAT = "1"  # bump when the stored shape changes


class TreeDigests:
    """Memoised digests of chart trees, one walk per chart per process."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def chart(self, chart_dir: Path) -> str:
        chart_dir = chart_dir.resolve()
        if chart_dir not in self._known:
            digest = hashlib.sha256(self._tree(chart_dir).encode())
            for dep_dir in sorted(file_dependencies(chart_dir)):
                digest.update(self.chart(dep_dir).encode())
            self._known[chart_dir] = digest.hexdigest()
        return self._known[chart_dir]

    @staticmethod
    def _tree(root: Path) -> str:
        lines = []
        for dirpath, dirnames, filenames in os.walk(root):
            # A chart nested elsewhere in the tree (acme-lib's test consumer) is not part of this
            # chart: its built archives must not change this chart's digest. Subcharts are.
            subcharts = Path(dirpath) == root / "charts"
            dirnames[:] = sorted(d for d in dirnames
                                 if subcharts or not (Path(dirpath, d) / "Chart.yaml").exists())
            for name in sorted(filenames):
                path = Path(dirpath, name)
                lines.append(f"{path.relative_to(root)}\0{hashlib.sha256(path.read_bytes()).hexdigest()}")
        return "\n".join(lines)


def file_dependencies(chart_dir: Path) -> list[Path]:
    """Directories of `file://` dependencies that live outside the chart's own charts/."""
    meta = load_yaml_file(chart_dir / "Chart.yaml") or {}
    found = []
    for dep in meta.get("dependencies") or []:
        repo = str(dep.get("repository") or "")
        if repo.startswith("file://"):
            dep_dir = (chart_dir / repo[len("file://"):]).resolve()
            if chart_dir not in dep_dir.parents:
                found.append(dep_dir)
    return found


def key_for(*parts: str) -> str:
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


class RenderCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return pickle.loads(self._path(key).read_bytes())
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename so a parallel reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
