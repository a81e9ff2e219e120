"""`harness version-check`: chart-testing's version rule plus Chart.yaml completeness.

Rule (as `ct lint --check-version-increment`): a chart with any changed file under its
directory since the merge base with the base branch must carry a strictly higher SemVer
`version` than it had there. A chart that did not exist at the base is new and passes.
Subcharts under charts/<chart>/charts/ count as changes of <chart>: they ship inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import load_yaml_file
from ..tools import git

# semver.org's regular expression (no leading "v": Helm accepts it, Artifact Hub and ct do not).
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
# What Artifact Hub shows on a package page and what users of an OCI chart need to trust it.
REQUIRED_FIELDS = ("description", "version", "kubeVersion", "maintainers", "sources", "icon", "home")
CHANGE_KINDS = {"added", "changed", "deprecated", "removed", "fixed", "security"}


def semver_key(version: str) -> tuple:
    """A sort key with SemVer 2.0 precedence: pre-releases sort before the release, build metadata is ignored."""
    match = SEMVER.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a SemVer 2.0 version")
    major, minor, patch, pre, _build = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    # Numeric identifiers sort numerically and below alphanumeric ones.
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, ids)


@dataclass(frozen=True)
class Problem:
    chart: str
    message: str

    def __str__(self) -> str:
        return f"{self.chart}: {self.message}"


def merge_base(project: Project, base_ref: str) -> str:
    if git.commit_of(project.root, base_ref) is None:
        raise HarnessError(f"base ref `{base_ref}` not found (fetch it, e.g. `git fetch origin main`, "
                           "or pass --base-ref)")
    return git.merge_base(project.root, base_ref)


def changed_charts(project: Project, base: str) -> set[str]:
    """Top-level charts with a file changed since `base`: commits, staged, unstaged and untracked."""
    return {p.split("/")[1] for p in git.changed_paths(project.root, base, "charts") if p.count("/") >= 2}


def chart_at(project: Project, commit: str, chart: str) -> dict | None:
    text = git.show(project.root, commit, f"charts/{chart}/Chart.yaml")
    if text is None:
        return None  # new chart
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise HarnessError(f"charts/{chart}/Chart.yaml at {commit[:12]}: {err}") from None


def version_problems(chart: str, current: dict, previous: dict | None) -> list[Problem]:
    new = str(current.get("version", ""))
    try:
        new_key = semver_key(new)
    except ValueError as err:
        return [Problem(chart, f"version: {err}")]
    if previous is None:
        return []
    old = str(previous.get("version", ""))
    try:
        if new_key <= semver_key(old):
            return [Problem(chart, f"changed since the base branch but version {new} is not higher than {old}; "
                                   "bump `version` in Chart.yaml")]
    except ValueError:
        pass  # an unparseable old version cannot be compared: any valid new one fixes it
    return []


def metadata_problems(chart: str, meta: dict) -> list[Problem]:
    problems = [Problem(chart, f"Chart.yaml: `{field}` is missing or empty")
                for field in REQUIRED_FIELDS if not meta.get(field)]
    for index, person in enumerate(meta.get("maintainers") or []):
        if not isinstance(person, dict) or not person.get("name"):
            problems.append(Problem(chart, f"Chart.yaml: maintainers[{index}] needs a name"))
    raw = (meta.get("annotations") or {}).get("artifacthub.io/changes")
    if not raw:
        problems.append(Problem(chart, "Chart.yaml: annotation `artifacthub.io/changes` is missing"))
        return problems
    try:
        changes = yaml.safe_load(raw)
    except yaml.YAMLError:
        changes = None
    if not isinstance(changes, list) or not changes:
        return [*problems, Problem(chart, "artifacthub.io/changes: must be a YAML list of {kind, description}")]
    for index, change in enumerate(changes):
        if not isinstance(change, dict) or change.get("kind") not in CHANGE_KINDS or not change.get("description"):
            problems.append(Problem(chart, f"artifacthub.io/changes[{index}]: needs kind "
                                           f"({'/'.join(sorted(CHANGE_KINDS))}) and description"))
    return problems


def changelog_problems(chart: str, version: str, changelog: str) -> list[Problem]:
    heading = re.compile(rf"^##+ .*\b{re.escape(chart)} {re.escape(version)}\b", re.MULTILINE)
    if not heading.search(changelog):
        return [Problem(chart, f"CHANGELOG.md has no heading for `{chart} {version}`")]
    return []


def check(project: Project, base_ref: str) -> tuple[list[str], list[Problem]]:
    """(charts changed since the base, problems found) for every top-level chart."""
    base = merge_base(project, base_ref)
    changed = changed_charts(project, base)
    changelog_file = project.root / "CHANGELOG.md"
    changelog = changelog_file.read_text() if changelog_file.exists() else ""
    problems: list[Problem] = []
    for chart_yaml in sorted(project.charts_dir.glob("*/Chart.yaml")):
        chart = chart_yaml.parent.name
        meta = load_yaml_file(chart_yaml) or {}
        problems += metadata_problems(chart, meta)
        problems += changelog_problems(chart, str(meta.get("version", "")), changelog)
        if chart in changed:
            problems += version_problems(chart, meta, chart_at(project, base, chart))
        else:
            problems += version_problems(chart, meta, None)  # still a valid SemVer
    return sorted(changed), problems


def chart_version(chart_dir: Path) -> str:
    return str((load_yaml_file(chart_dir / "Chart.yaml") or {}).get("version", ""))
