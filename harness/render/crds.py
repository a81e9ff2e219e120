"""The pinned upstream CRDs (cert-manager, Gateway API, prometheus-operator, Velero, Traefik).

tools/crds/go.mod pins the modules, tools/crds/crds.txt names the directory of each that holds
the CRD manifests, and optionally a file pattern when that directory holds other YAML too
(Traefik's keeps a file-provider example beside its CRDs). Offline schema validation and the local
cluster read the same files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.errors import HarnessError
from ..tools.gomod import module_dir


DEFAULT_PATTERN = "*.yaml"


def read_list(crds_module: Path) -> list[tuple[str, str, str]]:
    """(module, directory, file pattern) from tools/crds/crds.txt; the pattern defaults to *.yaml."""
    listing = crds_module / "crds.txt"
    try:
        lines = listing.read_text().splitlines()
    except OSError as exc:
        raise HarnessError(f"crds: cannot read {listing} ({exc.strerror})") from None
    pairs = []
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) not in (2, 3):
            raise HarnessError(f"{listing}:{number}: expected `<module> <directory> [<file pattern>]`, got `{line}`")
        pairs.append((fields[0], fields[1], fields[2] if len(fields) == 3 else DEFAULT_PATTERN))
    return pairs


def crd_files(crds_module: Path) -> list[Path]:
    files = []
    for module, directory, pattern in read_list(crds_module):
        found = sorted((module_dir(crds_module, module) / directory).glob(pattern))
        if not found:
            raise HarnessError(f"crds: no {pattern} under {module}/{directory}; did the pinned version move them?")
        files += found
    return files


def digest(files: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.read_bytes())
    return sha.hexdigest()
