"""The previous release of the charts, as a user who installed it has it: the newest commit of the
checkout's history whose chart versions differ from the working tree's, extracted with the helmfile
and values of that commit.

Nothing else marks a release here: there are no git tags, and the CHANGELOG dates every version
heading on the day it landed. A chart's version changes only with its content (`harness
version-check`), so the newest commit before the working tree's versions took effect holds exactly
the charts that were last published, together with the values they were deployed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import load_yaml_file
from ..render.baseline import extract_tree
from ..tools import git

# What `helmfile -e ENV apply` reads from the checkout: the state file, the charts, their values.
RELEASE_PATHS = ("helmfile.yaml.gotmpl", "charts", "values")
CHART_FILES = ":(glob)charts/**/Chart.yaml"


@dataclass(frozen=True)
class Release:
    commit: str
    versions: dict[str, str]  # chart directory (charts/acme-api, charts/acme-platform/charts/backup) -> version
    root: Path  # the extracted tree, to run helmfile in

    def changes(self, current: dict[str, str]) -> list[str]:
        """`chart old -> new` for every chart whose version differs (new charts and removed ones too)."""
        return [f"{chart} {self.versions.get(chart, 'absent')} -> {current.get(chart, 'absent')}"
                for chart in sorted(set(self.versions) | set(current))
                if self.versions.get(chart) != current.get(chart)]


def _version(text: str, where: str) -> str:
    try:
        return str((yaml.safe_load(text) or {}).get("version", ""))
    except yaml.YAMLError as err:
        raise HarnessError(f"{where}: {err}") from None


def working_versions(project: Project) -> dict[str, str]:
    return {str(path.parent.relative_to(project.root)): str((load_yaml_file(path) or {}).get("version", ""))
            for path in sorted((project.root / "charts").glob("**/Chart.yaml"))}


def versions_at(project: Project, commit: str) -> dict[str, str]:
    found = {}
    for path in git.files_at(project.root, commit, "charts"):
        if path.endswith("/Chart.yaml"):
            found[path.removesuffix("/Chart.yaml")] = _version(git.show(project.root, commit, path) or "",
                                                                f"{path} at {commit[:12]}")
    return found


def find_previous(project: Project, ref: str = "HEAD") -> tuple[str, dict[str, str]]:
    """(commit, its chart versions): `ref` itself when the working tree carries other versions,
    else the parent of the newest commit after which the versions are the working tree's."""
    current = working_versions(project)
    head = git.commit_of(project.root, ref)
    if head is None:
        raise HarnessError(f"git ref `{ref}` not found: the previous release is read from its history")
    candidates = [head] + [f"{c}^" for c in git.commits_touching(project.root, head, CHART_FILES)]
    for candidate in candidates:
        commit = git.commit_of(project.root, candidate)
        if commit is None:  # the root commit's parent
            break
        versions = versions_at(project, commit)
        if versions != current:
            return commit, versions
    raise HarnessError(f"no earlier chart versions in the history of `{ref}`: nothing was released before")


def previous_release(project: Project, ref: str = "HEAD") -> Release:
    commit, versions = find_previous(project, ref)
    root = project.cache_dir / "previous" / commit
    if not extract_tree(project, commit, RELEASE_PATHS, root):
        raise HarnessError(f"commit {commit[:12]} has no {' or '.join(RELEASE_PATHS)}: it cannot be installed "
                           "as a release")
    return Release(commit, versions, root)
