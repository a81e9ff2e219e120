"""`harness lint`: helm lint --strict per ci scenario, values-table drift, helmfile lint — in parallel."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..core.project import Project
from ..render.renderer import Renderer
from ..tools import helm as helm_tool, helm_docs as helm_docs_tool, helmfile as helmfile_tool
from ..tools.process import run


@dataclass(frozen=True)
class LintTask:
    name: str
    command: tuple[str, ...]
    cwd: Path
    env: dict | None = None


def _first_problem(output: str) -> str:
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    picked = [l for l in lines if l.startswith(("[ERROR]", "[WARNING]", "Error", "err", "ERROR"))]
    return " | ".join(picked[:3] or lines[-1:] or ["failed without output"])


def lint_tasks(project: Project, charts: list[str], with_helmfile: bool = True) -> list[LintTask]:
    helm = project.tool("helm")
    tasks = []
    for chart in charts:
        chart_dir = project.charts_dir / chart
        scenarios = sorted((chart_dir / "ci").glob("*.yaml"))
        for values in scenarios or [None]:
            label = f"{chart} [{values.relative_to(chart_dir)}]" if values else chart
            tasks.append(LintTask(f"helm lint {label}", helm_tool.lint_command(helm, chart_dir, values), project.root))
    if with_helmfile and project.helmfile.exists():
        tasks.append(LintTask("helmfile -e local lint",
                              helmfile_tool.lint_command(project.tool("helmfile"), project.helmfile, "local"),
                              project.root, project.tool_env()))
    return tasks


def _run(task: LintTask) -> str | None:
    proc = run(task.command, cwd=task.cwd, env=task.env, what=task.name)
    if not proc.ok:
        return f"FAIL {task.name}: {_first_problem(proc.stdout + proc.stderr)}"
    return None


def docs_drift(project: Project, chart: str) -> str | None:
    """Generate the chart README with helm-docs into a copy and compare with the committed one."""
    helm_docs = project.root / ".tools" / "bin" / "helm-docs"
    if not helm_docs.exists():
        return f"FAIL helm-docs {chart}: .tools/bin/helm-docs not installed (run `make tools`); drift not checked"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / chart
        shutil.copytree(project.charts_dir / chart, copy)
        proc = helm_docs_tool.generate(helm_docs, copy)
        if not proc.ok:
            return f"FAIL helm-docs {chart}: {_first_problem(proc.stderr + proc.stdout)}"
        committed = project.charts_dir / chart / "README.md"
        if not committed.exists():
            return f"FAIL helm-docs {chart}: README.md missing (generate it with helm-docs)"
        if (copy / "README.md").read_text() != committed.read_text():
            return f"FAIL helm-docs {chart}: README.md differs from values.yaml comments (regenerate with helm-docs)"
    return None


def lint(project: Project, charts: list[str], documented: list[str], workers: int | None = None,
         with_helmfile: bool = True) -> tuple[int, list[str]]:
    """Lint `charts`, check README drift of `documented`, lint the helmfile; (runs, one line per failure)."""
    renderer = Renderer(project, workers)
    renderer.ensure_tree_dependencies(project.root)  # helmfile lint runs with --skip-deps
    tasks = lint_tasks(project, charts, with_helmfile)
    with ThreadPoolExecutor(max_workers=renderer.workers) as pool:
        results = list(pool.map(_run, tasks))
        results += list(pool.map(lambda c: docs_drift(project, c), documented))
    return len(tasks) + len(documented), [r for r in results if r]
