"""Run `helm template` for many jobs in parallel, parse each output once, cache by content."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .cache import RenderCache, TreeDigests, file_dependencies, key_for
from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import load_all, load_yaml_file
from ..tools import helm as helm_tool


@dataclass(frozen=True)
class RenderJob:
    chart_dir: Path
    release: str
    namespace: str
    values_files: tuple[Path, ...] = ()
    inline_values: str = ""
    label: str = ""

    def describe(self) -> str:
        return self.label or f"{self.release} ({self.chart_dir.name})"


@dataclass
class RenderResult:
    job: RenderJob
    documents: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    cached: bool = False


class Renderer:
    """Owns the helm binary, the cache and the worker pool; shared by every command."""

    def __init__(self, project: Project, workers: int | None = None, helm: Path | None = None,
                 use_cache: bool = True, cache_dir: Path | None = None) -> None:
        self.project = project
        self.helm = helm or project.tool("helm")
        self.workers = workers or os.cpu_count() or 1
        self.cache_dir = cache_dir or project.cache_dir / "render"
        self.cache = RenderCache(self.cache_dir) if use_cache else None
        self.digests = TreeDigests()
        self.kube_version = project.kube_version

    @cached_property
    def helm_identity(self) -> str:
        """The helm build in the cache key: a new helm version must not reuse old renders.

        `helm version` costs ~80 ms, so its answer is remembered per binary (path, size, mtime).
        """
        binary = self.helm.resolve()
        stat = binary.stat()
        memo = self.cache_dir / "helm" / key_for(str(binary), str(stat.st_size), str(stat.st_mtime_ns))
        if memo.exists():
            return memo.read_text()
        identity = f"{binary} {helm_tool.version(self.helm)}"
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(identity)
        return identity

    def command(self, job: RenderJob, inline_file: Path | None) -> list[str]:
        values = (*job.values_files, inline_file) if inline_file else job.values_files
        return helm_tool.template_command(self.helm, job.release, job.chart_dir, job.namespace, self.kube_version,
                                          values)

    def render_all(self, jobs: list[RenderJob]) -> list[RenderResult]:
        unique = list(dict.fromkeys(jobs))
        for chart_dir in {job.chart_dir for job in unique}:
            self.ensure_dependencies(chart_dir)
        keys = {job: self._key(job) for job in unique}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            results = dict(zip(unique, pool.map(lambda j: self._render(j, keys[j]), unique)))
        return [results[job] for job in jobs]

    def render(self, job: RenderJob) -> RenderResult:
        return self.render_all([job])[0]

    def _key(self, job: RenderJob) -> str:
        values = [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else f"missing:{p}"
                  for p in job.values_files]
        return key_for(self.helm_identity, self.kube_version, job.release, job.namespace,
                       self.digests.chart(job.chart_dir), json.dumps(values), job.inline_values)

    def _render(self, job: RenderJob, key: str) -> RenderResult:
        if self.cache:
            hit = self.cache.get(key)
            if hit is not None:
                return RenderResult(job, hit["documents"], hit["error"], cached=True)
        missing = next((p for p in job.values_files if not p.exists()), None)
        if missing:
            return RenderResult(job, error=f"values file not found: {missing}")
        inline_file = self._inline_file(job, key) if job.inline_values else None
        proc = helm_tool.template(self.command(job, inline_file))
        if not proc.ok:
            # Failed renders are cached too: same inputs, same failure, no need to rerun helm.
            result = RenderResult(job, error=_helm_error(proc.stderr))
        else:
            try:
                result = RenderResult(job, load_all(proc.stdout, f"helm template {job.describe()}"))
            except HarnessError as exc:
                result = RenderResult(job, error=str(exc))
        if self.cache:
            self.cache.put(key, {"documents": result.documents, "error": result.error})
        return result

    def _inline_file(self, job: RenderJob, key: str) -> Path:
        path = self.cache_dir / "values" / f"{key}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(job.inline_values)
        return path

    def ensure_tree_dependencies(self, root: Path) -> None:
        """Build the file:// archives of every chart of a checkout (charts/* and their test charts).

        Built here, once and up front, because helm builds them inside the chart it is given
        (through charts/tmpcharts-<pid>): helmfile or ct doing that on every run would rewrite the
        working tree while other commands read or copy it.
        """
        for chart_dir in tree_charts(root):
            self.ensure_dependencies(chart_dir)

    def ensure_dependencies(self, chart_dir: Path) -> None:
        """Run `helm dependency build` when a file:// dependency's archive is missing or outdated.

        A stamp records the dependency sources the archives were built from, so editing the
        library chart rebuilds them instead of rendering a stale copy.
        """
        deps = file_dependencies(chart_dir)
        if not deps:
            return
        missing = next((d for d in deps if not (d / "Chart.yaml").is_file()), None)
        if missing:
            raise HarnessError(f"{chart_dir / 'Chart.yaml'}: the file:// dependency {missing} is not a chart "
                               "(no Chart.yaml there)")
        wanted = key_for(*(self.digests.chart(d) for d in sorted(deps)))
        stamp = self.project.cache_dir / "deps" / f"{key_for(str(chart_dir.resolve()))}.stamp"
        meta = load_yaml_file(chart_dir / "Chart.yaml") or {}
        names = [d.get("name") for d in meta.get("dependencies") or [] if d.get("name")]
        archives_present = all(list((chart_dir / "charts").glob(f"{n}-*.tgz")) or
                               (chart_dir / "charts" / n).is_dir() for n in names)
        if archives_present and stamp.exists() and stamp.read_text() == wanted:
            return
        proc = helm_tool.dependency_build(self.helm, chart_dir)
        if not proc.ok:
            raise HarnessError(f"helm dependency build {chart_dir.name} failed: {_helm_error(proc.stderr)}")
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(wanted)
        self.digests = TreeDigests()  # the chart now holds fresh archives


def tree_charts(root: Path) -> list[Path]:
    """The charts of a checkout: charts/* and the test charts in charts/*/tests/."""
    return sorted(p.parent for p in [*root.glob("charts/*/Chart.yaml"), *root.glob("charts/*/tests/*/Chart.yaml")])


def _helm_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lower().startswith("error")), 0)
    # Schema errors list one violation per line after the "Error:" line: keep them all.
    return " ".join(" ".join(lines[start:]).split()) or "helm failed without output"
