"""The releases of a helmfile environment: which chart, values layers and `needs:`.

Read straight from helmfile.yaml when it is plain YAML (the environment name is the only
template expression substituted); otherwise ask `helmfile build`, which resolves templates.
Only releases with a local chart are rendered: upstream operators come from chart
repositories that the build machines cannot reach.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import HarnessError
from .project import Project
from .yamlio import load_all

_ENV_NAME = re.compile(r"\{\{-?\s*\.Environment\.Name\s*-?\}\}")
DEFAULT_RELEASES = ("acme-platform", "acme-api", "acme-ui")


@dataclass(frozen=True)
class Release:
    name: str
    namespace: str
    chart_dir: Path
    values_files: tuple[Path, ...]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class HelmfileState:
    environment: str
    releases: tuple[Release, ...]
    from_helmfile: bool  # False when derived from the values/<release>/<env>.yaml convention

    def release(self, name: str) -> Release | None:
        return next((r for r in self.releases if r.name == name), None)


def environment_names(project: Project) -> list[str]:
    """Environments declared in helmfile.yaml, else the layers present under values/."""
    if project.helmfile.exists():
        for doc in _documents(project, project.helmfile.read_text().replace("{{", "{ {")) or []:
            if isinstance(doc, dict) and isinstance(doc.get("environments"), dict):
                return sorted(doc["environments"])
    return sorted({p.stem for name in DEFAULT_RELEASES for p in (project.values_dir / name).glob("*.yaml")})


def load_state(project: Project, environment: str) -> HelmfileState:
    known = environment_names(project)
    if environment not in known:
        raise HarnessError(f"unknown environment `{environment}` (known: {', '.join(known) or 'none'})")
    if not project.helmfile.exists():
        return _conventional_state(project, environment)
    text = _ENV_NAME.sub(environment, project.helmfile.read_text())
    docs = None if "{{" in text else _documents(project, text)
    if docs is None:
        docs = _built_documents(project, environment)
    return HelmfileState(environment, tuple(_local_releases(project, docs)), True)


def _conventional_state(project: Project, environment: str) -> HelmfileState:
    releases = []
    for name in DEFAULT_RELEASES:
        chart_dir = project.charts_dir / name
        layer = project.values_dir / name / f"{environment}.yaml"
        if chart_dir.exists():
            files = (layer,) if layer.exists() else ()
            releases.append(Release(name, "acme", chart_dir, files, ()))
    return HelmfileState(environment, tuple(releases), False)


def _documents(project: Project, text: str) -> list | None:
    try:
        return load_all(text, str(project.helmfile))
    except HarnessError:
        return None


def _built_documents(project: Project, environment: str) -> list:
    helmfile = project.tool("helmfile")
    proc = subprocess.run(
        [str(helmfile), "-f", str(project.helmfile), "-e", environment, "build"],
        capture_output=True, text=True, cwd=project.root,
    )
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise HarnessError(f"helmfile -e {environment} build failed: {detail}")
    try:
        return [d for d in yaml.safe_load_all(proc.stdout) if d]
    except yaml.YAMLError as exc:
        raise HarnessError(f"helmfile -e {environment} build printed invalid YAML: {exc}") from None


def _local_releases(project: Project, docs: list) -> list[Release]:
    releases = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        for raw in doc.get("releases") or []:
            chart = str(raw.get("chart", ""))
            chart_dir = (project.root / chart).resolve()
            if not (chart_dir / "Chart.yaml").exists() or raw.get("installed") is False:
                continue
            values = tuple(
                (project.root / entry).resolve() for entry in raw.get("values") or [] if isinstance(entry, str)
            )
            needs = tuple(str(n).split("/")[-1] for n in raw.get("needs") or [])
            releases.append(Release(raw["name"], raw.get("namespace", "acme"), chart_dir, values, needs))
    return releases
