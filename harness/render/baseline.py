"""The charts and values as they were at the git base ref, extracted once per commit under .cache/base/.

A helm upgrade goes from (old chart, old values) to (new chart, new values), and strict values
schemas reject keys the other revision does not know; so a values file of the repository is
taken at the base ref when it existed there, and from the working tree otherwise.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..core.project import Project
from ..tools import git

DEFAULT_BASE_REFS = ("origin/main", "HEAD~1")


@dataclass(frozen=True)
class Baseline:
    charts_dir: Path | None  # None: no baseline available (note says why)
    note: str
    ref: str = ""

    def values_file(self, project: Project, path: Path) -> Path:
        """The base-ref revision of a values file of the repository, if it existed there."""
        if self.charts_dir is None or not path.is_relative_to(project.root):
            return path
        candidate = self.charts_dir.parent / path.relative_to(project.root)
        return candidate if candidate.exists() else path


def resolve_baseline(project: Project, ref: str | None) -> Baseline:
    """Extract charts/ at `ref` (default origin/main, else HEAD~1); a note instead when impossible."""
    candidates = (ref,) if ref else DEFAULT_BASE_REFS
    for candidate in candidates:
        commit = git.commit_of(project.root, candidate)
        if commit is not None:
            return _extract(project, candidate, commit)
    return Baseline(None, f"upgrade safety skipped: git base ref {' or '.join(candidates)} not found")


def _extract(project: Project, ref: str, commit: str) -> Baseline:
    target = project.cache_dir / "base" / commit
    # no values/ at that commit yet: the charts alone
    if not extract_tree(project, commit, ("charts", "values"), target) and \
            not extract_tree(project, commit, ("charts",), target):
        return Baseline(None, f"upgrade safety skipped: no charts/ at {ref} ({commit[:12]})", ref)
    return Baseline(target / "charts", f"base {ref} ({commit[:12]})", ref)


def extract_tree(project: Project, commit: str, paths: tuple[str, ...], target: Path) -> bool:
    """`paths` at `commit` extracted under `target` once (a `.complete` marker); False when one of
    them did not exist there."""
    done = target / ".complete"
    if done.exists():
        return True
    archive = git.archive(project.root, commit, *paths)
    if archive is None:
        return False
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    done.touch()
    return True
