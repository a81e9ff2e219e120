"""The releases of a helmfile environment: which chart, values layers and `needs:`.

`helmfile build` resolves the templates (helmfile.yaml.gotmpl), and its answer is cached by
the content of the helmfile and of values/, so an unchanged rerun does not call it. Inline
values maps become content-addressed files, keeping helmfile's layer order. Only releases
with a local chart are rendered: upstream operators come from chart repositories that the
build machines cannot reach, and are off in `local`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .cache import key_for
from ..core.errors import HarnessError
from ..core.project import RELEASES, Project
from ..core.yamlio import dump_yaml
from ..tools import helmfile as helmfile_tool


@dataclass(frozen=True)
class Release:
    name: str
    namespace: str
    chart_dir: Path
    values_files: tuple[Path, ...]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class UpstreamRelease:
    """An installed release of a chart from a repository: never rendered here, its values read as files."""

    name: str
    namespace: str
    chart: str  # repository/chart, as the helmfile names it
    version: str
    values_files: tuple[Path, ...]


@dataclass(frozen=True)
class HelmfileState:
    environment: str
    releases: tuple[Release, ...]
    from_helmfile: bool  # False when derived from the values/<release>/<env>.yaml convention
    upstream: tuple[UpstreamRelease, ...] = ()  # the environment's operators and backends

    def upstream_release(self, chart: str) -> UpstreamRelease | None:
        """The installed release of `chart` (e.g. grafana/loki), if the environment has one."""
        return next((r for r in self.upstream if r.chart == chart), None)


def environment_names(project: Project) -> list[str]:
    """Environments declared in the helmfile's first (plain YAML) document, else the layers under values/."""
    if project.helmfile.exists():
        head = project.helmfile.read_text().split("\n---", 1)[0]
        try:
            environments = (yaml.safe_load(head) or {}).get("environments")
        except (yaml.YAMLError, AttributeError):
            environments = None
        if isinstance(environments, dict):
            return sorted(environments)
    return sorted({p.stem for name in RELEASES for p in (project.values_dir / name).glob("*.yaml")})


def require_environment(project: Project, environment: str) -> None:
    """An environment the helmfile does not declare is bad input, named with the ones it does."""
    known = environment_names(project)
    if environment not in known:
        raise HarnessError(f"unknown environment `{environment}` (known: {', '.join(known) or 'none'})")


def load_state(project: Project, environment: str) -> HelmfileState:
    require_environment(project, environment)
    if not project.helmfile.exists():
        return _conventional_state(project, environment)
    built = _built_releases(project, environment)
    return HelmfileState(environment, tuple(_local_releases(project, built)), True, tuple(_upstream_releases(project, built)))


def _conventional_state(project: Project, environment: str) -> HelmfileState:
    releases = []
    for name in RELEASES:
        chart_dir = project.charts_dir / name
        layer = project.values_dir / name / f"{environment}.yaml"
        if chart_dir.exists():
            files = (layer,) if layer.exists() else ()
            releases.append(Release(name, "acme", chart_dir, files, ()))
    return HelmfileState(environment, tuple(releases), False)


def _inputs_digest(project: Project) -> str:
    digest = hashlib.sha256(project.helmfile.read_bytes())
    for dirpath, dirnames, filenames in os.walk(project.values_dir):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            digest.update(f"{path.relative_to(project.root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def built_releases(project: Project, environment: str) -> list[dict]:
    """Every release `helmfile -e ENV build` declares, upstream operators included, as helmfile prints it."""
    require_environment(project, environment)
    return _built_releases(project, environment)


def _built_releases(project: Project, environment: str) -> list[dict]:
    helmfile = project.tool("helmfile")
    cached = project.cache_dir / "helmfile" / f"{key_for(str(helmfile.resolve()), environment, _inputs_digest(project))}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    built = helmfile_tool.build(helmfile, project.helmfile, environment, project.root, project.tool_env())
    try:
        docs = [d for d in yaml.safe_load_all(built) if isinstance(d, dict)]
    except yaml.YAMLError as exc:
        raise HarnessError(f"helmfile -e {environment} build printed invalid YAML: {' '.join(str(exc).split())}") from None
    releases = [r for doc in docs for r in doc.get("releases") or []]
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(releases))
    return releases


def _local_releases(project: Project, raw_releases: list[dict]) -> list[Release]:
    releases = []
    for raw in raw_releases:
        chart_dir = (project.root / str(raw.get("chart", ""))).resolve()
        if not (chart_dir / "Chart.yaml").exists() or raw.get("installed") is False:
            continue
        values = tuple(_values_file(project, entry) for entry in raw.get("values") or [])
        needs = tuple(str(n).split("/")[-1] for n in raw.get("needs") or [])
        releases.append(Release(raw["name"], raw.get("namespace", "acme"), chart_dir, values, needs))
    return releases


def _upstream_releases(project: Project, raw_releases: list[dict]) -> list[UpstreamRelease]:
    releases = []
    for raw in raw_releases:
        chart = str(raw.get("chart", ""))
        if (project.root / chart / "Chart.yaml").exists() or raw.get("installed") is False:
            continue
        values = tuple(_values_file(project, entry) for entry in raw.get("values") or [])
        releases.append(UpstreamRelease(raw["name"], raw.get("namespace", ""), chart, str(raw.get("version", "")), values))
    return releases


def _values_file(project: Project, entry) -> Path:
    """A values layer as a file: paths as given, inline maps written once by content."""
    if isinstance(entry, str):
        return (project.root / entry).resolve()
    text = dump_yaml(entry)
    path = project.cache_dir / "helmfile" / "values" / f"{hashlib.sha256(text.encode()).hexdigest()}.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path
