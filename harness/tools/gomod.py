"""Pinned Go modules in the module cache: where a wrapper module's pin lives on disk.

Files the harness reads from upstream modules (CRDs, Kubernetes' OpenAPI documents) are never
copied into the repository: a wrapper module under tools/ pins the version and go.sum the
bytes. A module already in the cache is found without running `go`; a missing one is fetched
with `go mod download`, which checks it against go.sum.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path

from ..core.errors import HarnessError
from .process import ToolError, run


def escape(path: str) -> str:
    """The module cache's case encoding: an upper-case letter becomes `!` and its lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def pinned_version(wrapper: Path, module: str) -> str:
    """The version `wrapper`/go.mod requires for `module` (single-line or block `require`)."""
    go_mod = wrapper / "go.mod"
    try:
        text = go_mod.read_text()
    except OSError as exc:
        raise HarnessError(f"{go_mod}: cannot read ({exc.strerror}); it pins {module}") from None
    found = re.search(rf"^\s*(?:require\s+)?{re.escape(module)}\s+(v\S+)", text, re.MULTILINE)
    if not found:
        raise HarnessError(f"{go_mod} does not require {module}")
    return found.group(1)


@lru_cache(maxsize=1)
def module_cache() -> Path:
    """GOMODCACHE as the go command resolves it (environment, `go env -w`, else GOPATH/pkg/mod)."""
    if os.environ.get("GOMODCACHE"):
        return Path(os.environ["GOMODCACHE"])
    go = shutil.which("go")
    if go is not None:
        done = run([go, "env", "GOMODCACHE"], timeout=30)
        if done.ok and done.stdout.strip():
            return Path(done.stdout.strip())
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0] or str(Path.home() / "go")
    return Path(gopath) / "pkg" / "mod"


def module_dir(wrapper: Path, module: str) -> Path:
    """The directory of `module` at the version `wrapper` pins: from the cache, else downloaded."""
    version = pinned_version(wrapper, module)
    cached = module_cache() / f"{escape(module)}@{escape(version)}"
    if cached.is_dir():
        return cached
    return _download(wrapper, module, version)


def _download(wrapper: Path, module: str, version: str) -> Path:
    missing = f"{module} {version} is not in the Go module cache ({module_cache()})"
    go = shutil.which("go")
    if go is None:
        raise HarnessError(f"{missing} and `go` is not on PATH to download it (install Go, then `make tools`)")
    try:
        done = run([go, "mod", "download", "-json", module], cwd=wrapper, env={**os.environ, "GOFLAGS": "-mod=readonly"},
                   timeout=600)
    except ToolError as exc:
        raise HarnessError(f"{missing} and `go mod download` in {wrapper} failed: {exc}") from None
    try:
        info = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        info = {}
    if info.get("Error") or not info.get("Dir"):
        reason = info.get("Error") or (done.stderr.strip().splitlines() or ["it reported no directory"])[-1]
        raise HarnessError(f"{missing} and `go mod download` in {wrapper} failed: {' '.join(reason.split())}")
    return Path(info["Dir"])
