"""Where the local cluster lives and which binaries run it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import HarnessError
from ...core.project import Project

# Control-plane binaries kwokctl runs, by its flag name; kwokctl downloads any it is not
# given, which fails on machines that only reach package registries.
BINARY_FLAGS = {
    "kube-apiserver": "--kube-apiserver-binary",
    "kube-controller-manager": "--kube-controller-manager-binary",
    "kube-scheduler": "--kube-scheduler-binary",
    "kwok": "--kwok-controller-binary",
    "etcd": "--etcd-binary",
}
# Tools kwokctl runs for `snapshot save|restore`, by the option of its configuration that names them.
ETCD_TOOL_OPTIONS = {"etcdctl": "etcdctlBinary", "etcdutl": "etcdutlBinary"}
# Fixed rather than random so a busy port is reported up front; override for parallel clones.
# Below 32767, where kwokctl's own port allocator (etcd, controllers) starts counting down.
DEFAULT_PORT = 16443
DEFAULT_NAME = "acme"


@dataclass(frozen=True)
class ClusterSettings:
    project: Project
    name: str = "acme"
    port: int = DEFAULT_PORT

    @classmethod
    def from_env(cls, project: Project | None = None) -> "ClusterSettings":
        project = project or Project.discover()
        raw = os.environ.get("ACME_CLUSTER_PORT", str(DEFAULT_PORT))
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise HarnessError(f"ACME_CLUSTER_PORT must be a port number, got {raw!r}")
        name = os.environ.get("ACME_CLUSTER_NAME", DEFAULT_NAME)
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", name):
            raise HarnessError(f"ACME_CLUSTER_NAME must be a lowercase name of letters, digits and dashes "
                               f"(at most 32), got {name!r}")
        return cls(project, name, int(raw))

    def state(self, kind: str) -> Path:
        """A directory of this cluster's own state under .cache. The default cluster keeps the paths
        the docs name; another name (a second cluster from the same checkout, as `make e2e` starts
        for the real node's suites) gets directories of its own, so the two never share a file."""
        return self.project.cache_dir / (kind if self.name == DEFAULT_NAME else f"{kind}-{self.name}")

    @property
    def workdir(self) -> Path:
        """KWOK_WORKDIR: kwokctl keeps certificates, logs and etcd data here, never in $HOME."""
        return self.state("kwok")

    @property
    def kubeconfig(self) -> Path:
        return self.state("cluster") / "kubeconfig"

    @property
    def context(self) -> str:
        return f"kwok-{self.name}"

    @property
    def config_files(self) -> list[Path]:
        cluster_dir = self.project.root / "cluster"
        return [cluster_dir / "kwokctl.yaml", cluster_dir / "stages.yaml"]

    @property
    def generated_config(self) -> Path:
        """The kwokctl configuration `create` is given: cluster/kwokctl.yaml with local tool paths."""
        return self.workdir / "kwokctl.yaml"

    @property
    def state_file(self) -> Path:
        """kwokctl's own record of a created cluster: its configuration, components and ports."""
        return self.workdir / "clusters" / self.name / "kwok.yaml"

    @property
    def tls_ca_dir(self) -> Path:
        """The local CA that stands in for cert-manager (deploy/cluster/certs.py)."""
        return self.kubeconfig.parent / "ca"

    @property
    def nodes_file(self) -> Path:
        return self.project.root / "cluster" / "nodes.yaml"

    @property
    def storage_file(self) -> Path:
        return self.project.root / "cluster" / "storage.yaml"

    @property
    def namespaces_file(self) -> Path:
        return self.project.root / "cluster" / "namespaces.yaml"

    @property
    def crds_stamp(self) -> Path:
        return self.workdir / "clusters" / self.name / "acme-crds.sha256"

    @property
    def crds_module(self) -> Path:
        return self.project.root / "tools" / "crds"

    def binary(self, name: str) -> Path:
        """A pinned binary from .tools/bin only: a stray one on PATH may be any version."""
        path = self.project.root / ".tools" / "bin" / name
        if not path.exists():
            raise HarnessError(f"cluster: binary {name} missing at {path}; run `make tools`")
        return path

    def env(self) -> dict[str, str]:
        """Environment for kwokctl/kubectl/helm calls that target this cluster."""
        return {**os.environ, "KWOK_WORKDIR": str(self.workdir), "KUBECONFIG": str(self.kubeconfig)}
