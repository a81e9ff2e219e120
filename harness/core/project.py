"""Where things live in the repository and which tool binaries to run."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import HarnessError

# The three releases of docs/contract.md, in the helmfile's `needs:` order (a test holds them equal).
RELEASES = ("acme-platform", "acme-api", "acme-ui")

# The environment that means the harness's own cluster (make cluster-up); every other one is a
# kubeconfig's cluster. Which environments exist is the helmfile's to say.
LOCAL_ENV = "local"

# Fallback when tools/kubernetes/tool.env is absent; keep in step with the pinned cluster.
DEFAULT_KUBE_VERSION = "1.36.0"


@dataclass(frozen=True)
class Project:
    """The checkout the harness works on (the directory holding charts/ and matrices/)."""

    root: Path

    @classmethod
    def discover(cls, start: Path | None = None) -> "Project":
        """Walk up from `start` (or ACME_ROOT, or the cwd) to the directory with charts/ or matrices/."""
        origin = Path(os.environ.get("ACME_ROOT") or start or Path.cwd()).resolve()
        for candidate in (origin, *origin.parents):
            if (candidate / "matrices").is_dir() or (candidate / "charts").is_dir():
                return cls(candidate)
        raise HarnessError(f"no project found: neither charts/ nor matrices/ above {origin}")

    @property
    def charts_dir(self) -> Path:
        return self.root / "charts"

    @property
    def matrices_dir(self) -> Path:
        return self.root / "matrices"

    @property
    def values_dir(self) -> Path:
        return self.root / "values"

    @property
    def helmfile(self) -> Path:
        """helmfile.yaml, or its templated form helmfile.yaml.gotmpl (what helmfile itself looks for)."""
        for name in ("helmfile.yaml", "helmfile.yaml.gotmpl"):
            if (self.root / name).exists():
                return self.root / name
        return self.root / "helmfile.yaml"

    def tool_env(self) -> dict[str, str]:
        """The environment for tools that call other tools (helmfile runs helm): pinned ones first."""
        env = dict(os.environ)
        env["PATH"] = f"{self.root / '.tools' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    @property
    def intended_flows(self) -> Path:
        return self.root / "policy" / "intended-flows.yaml"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def tool(self, name: str) -> Path:
        """The pinned tool from .tools/bin, else the one on PATH; a clear error when neither exists."""
        pinned = self.root / ".tools" / "bin" / name
        if pinned.exists():
            return pinned
        found = shutil.which(name)
        if found:
            return Path(found)
        raise HarnessError(f"tool not found: {name} (expected {pinned}; run `make tools`)")

    @cached_property
    def kube_version(self) -> str:
        """The Kubernetes version the local cluster is built at, so renders see the same Capabilities."""
        env_file = self.root / "tools" / "kubernetes" / "tool.env"
        if env_file.exists():
            for line in env_file.read_text().splitlines():
                if line.startswith("VERSION="):
                    return line.split("=", 1)[1].strip().strip("\"'").lstrip("v")
        return DEFAULT_KUBE_VERSION

    def chart_names(self) -> list[str]:
        """Application and umbrella charts (library charts render nothing on their own)."""
        from .yamlio import load_yaml_file

        names = []
        for chart_yaml in sorted(self.charts_dir.glob("*/Chart.yaml")):
            meta = load_yaml_file(chart_yaml) or {}
            if meta.get("type") != "library":
                names.append(chart_yaml.parent.name)
        return names
