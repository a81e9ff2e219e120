"""Upstream CRDs (cert-manager, Gateway API, prometheus-operator, Velero) from the Go module cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ...core.errors import HarnessError


def read_list(crds_module: Path) -> list[tuple[str, str]]:
    """(module, directory) pairs from tools/crds/crds.txt."""
    pairs = []
    for line in (crds_module / "crds.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            module, directory = line.split()
            pairs.append((module, directory))
    return pairs


def module_dir(crds_module: Path, module: str) -> Path:
    """The module's directory in the cache, at the version go.mod pins (go.sum verifies the bytes)."""
    go = shutil.which("go")
    if go is None:
        raise HarnessError("crds: `go` not found on PATH; it locates the pinned CRD modules")
    done = subprocess.run([go, "mod", "download", "-json", module], cwd=crds_module, capture_output=True,
                          text=True, env={**os.environ, "GOFLAGS": "-mod=readonly"}, timeout=600)
    try:
        info = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise HarnessError(f"crds: go mod download {module} failed: {done.stderr.strip()}") from None
    if info.get("Error") or not info.get("Dir"):
        raise HarnessError(f"crds: go mod download {module} failed: {info.get('Error') or done.stderr.strip()}")
    return Path(info["Dir"])


def crd_files(crds_module: Path) -> list[Path]:
    files = []
    for module, directory in read_list(crds_module):
        found = sorted((module_dir(crds_module, module) / directory).glob("*.yaml"))
        if not found:
            raise HarnessError(f"crds: no YAML under {module}/{directory}; did the pinned version move them?")
        files += found
    return files


def digest(files: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.read_bytes())
    return sha.hexdigest()


def apply(crds_module: Path, kubectl: Path, env: dict[str, str], stamp: Path | None = None) -> int:
    """Server-side apply (prometheus-operator's CRDs exceed the client-side annotation limit), then wait.

    `stamp` records the digest of what was applied, so an idempotent `up` skips the 10 s re-apply;
    it lives in the cluster's own work directory and disappears with the cluster.
    """
    files = crd_files(crds_module)
    if stamp is not None and stamp.exists() and stamp.read_text() == digest(files):
        return 0
    args = [str(kubectl), "apply", "--server-side", "--force-conflicts", "--field-manager", "acme-harness"]
    for path in files:
        args += ["-f", str(path)]
    for cmd in (args, [str(kubectl), "wait", "--for", "condition=Established", "crd", "--all", "--timeout", "60s"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise HarnessError(f"crds: `{' '.join(cmd[1:3])}` failed: {done.stderr.strip().splitlines()[-1:]}")
    if stamp is not None:
        stamp.write_text(digest(files))
    return len(files)
