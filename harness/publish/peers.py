"""`harness peers`: the field's own checkers over what we ship (make lint).

- kube-score (best practices) and kubeconform (strict schema validation, Kubernetes version of
  the pinned cluster, against the offline schemas incl. CRDs in its standalone layout) over
  every environment's manifests as `helmfile -e ENV` deploys them, rendered by the harness;
- chart-testing's `ct lint --all` with the committed ct.yaml, as users run it in their CI.

Every finding fails unless policy/peer-exceptions.yaml accepts it with a reason; an exception
that matches nothing on a full run fails too (stale), so the list shrinks as defects are fixed.
Exit codes: 0 clean, 1 unaccepted findings or stale exceptions, 2 bad input or environment.
"""

from __future__ import annotations

import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from ..policy.exceptions import Accepted, load_exceptions, unused
from ..render.renderer import Renderer
from ..render.schemas import OpenAPISchemas
from ..render.standalone import write_standalone
from ..tools import chart_testing, kubeconform, kubescore
from ..tools.gomod import module_dir
from ..tools.peer import PeerFinding
from .environments import render_environments

TOOLS = ("kube-score", "kubeconform", "ct")
CT_MODULE = "github.com/helm/chart-testing/v3"  # ships the yamale schema and yamllint config ct expects


@dataclass(frozen=True)
class Result:
    env: str  # local/staging/production; "charts" for ct
    finding: PeerFinding
    accepted: Accepted | None


@dataclass
class Run:
    results: list[Result]
    stale: list[Accepted]
    counts: dict[str, str]  # tool -> what it covered ("3 environments, 544 objects valid")

    @property
    def failed(self) -> bool:
        return bool(self.stale) or any(r.accepted is None for r in self.results)


def exceptions_file(project: Project) -> Path:
    return project.root / "policy" / "peer-exceptions.yaml"


def _known_tool(entry: dict, where: str) -> str | None:
    if entry.get("tool") not in TOOLS:
        return f"{where}.tool: one of {', '.join(TOOLS)}, got {entry.get('tool')!r}"
    if not str(entry.get("check", "")).strip():
        return f"{where}.check: the tool's check id"
    return None


def load(project: Project, path: Path | None = None) -> list[Accepted]:
    return load_exceptions(path or exceptions_file(project), _known_tool, frozenset({"tool", "message"}))


def classify(found: list[tuple[str, PeerFinding]], exceptions: list[Accepted]) -> list[Result]:
    results = []
    for env, finding in found:
        accepted = next((a for a in exceptions
                         if a.covers(finding.check, finding.resource, finding.tool, finding.message)), None)
        results.append(Result(env, finding, accepted))
    return sorted(results, key=lambda r: (r.finding.tool, r.env, r.finding.check, r.finding.resource, r.finding.field))


def run_peers(project: Project, envs: list[str], tools: list[str], exceptions: list[Accepted],
              full: bool) -> Run:
    found: list[tuple[str, PeerFinding]] = []
    counts: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="acme-peers-") as tmp, ThreadPoolExecutor(max_workers=4) as pool:
        ct_job = pool.submit(_ct, project) if "ct" in tools else None
        files = render_environments(project, envs, Path(tmp)) if {"kube-score", "kubeconform"} & set(tools) else {}
        if "kube-score" in tools:
            binary = project.tool("kube-score")
            jobs = {env: pool.submit(kubescore.score, binary, Path(tmp) / name, project.kube_version)
                    for name, env in files.items()}
            found += [(env, f) for env, job in jobs.items() for f in job.result()]
            counts["kube-score"] = f"{len(files)} environments"
        if "kubeconform" in tools:
            binary = project.tool("kubeconform")
            schemas = write_standalone(OpenAPISchemas.pinned(project.root, project.cache_dir / "openapi"),
                                       project.cache_dir / "kubeconform", project.kube_version)
            jobs = {env: pool.submit(kubeconform.validate, binary, Path(tmp) / name, schemas, project.kube_version)
                    for name, env in files.items()}
            valid = 0
            for env, job in jobs.items():
                ok, findings = job.result()
                valid += ok
                found += [(env, f) for f in findings]
            counts["kubeconform"] = f"{len(files)} environments, {valid} objects valid"
        if ct_job is not None:
            passed, findings = ct_job.result()
            found += [("charts", f) for f in findings]
            counts["ct"] = f"{passed + len(findings)} charts, {passed} passed"
    results = classify(found, exceptions)
    # Only a run of every tool over every environment can tell that an exception matches nothing.
    stale = unused(exceptions, (r.accepted for r in results)) if full else []
    return Run(results, stale, counts)


def _ct(project: Project) -> tuple[int, list[PeerFinding]]:
    config = project.root / "ct.yaml"
    if not config.exists():
        raise HarnessError(f"ct: no {config} (the chart-testing configuration)")
    etc = module_dir(project.root / "tools" / "chart-testing", CT_MODULE) / "etc"
    Renderer(project).ensure_tree_dependencies(project.root)
    env = project.tool_env()
    # ct calls yamllint and yamale as commands: the venv's, pinned in pyproject.toml.
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    return chart_testing.lint(project.tool("ct"), config, etc / "chart_schema.yaml", etc / "lintconf.yaml",
                              project.root, env)


def table(run: Run) -> str:
    lines = [f"{'TOOL':<11} {'ENV':<10} {'CHECK':<44} {'RESOURCE':<40} RESULT"]
    for r in run.results:
        f = r.finding
        state = "accepted" if r.accepted else f"FAIL {f.severity}"
        where = f" ({f.field})" if f.field else ""
        lines.append(f"{f.tool:<11} {r.env:<10} {f.check:<44} {f.resource:<40} {state}  {f.message}{where}")
    reasons = {a.describe(): a.reason for a in (r.accepted for r in run.results) if a}
    lines += [f"accepted {what}: {reason}" for what, reason in sorted(reasons.items())]
    lines += [f"stale exception: {a.describe()} matched nothing; remove it" for a in run.stale]
    for tool, covered in run.counts.items():
        mine = [r for r in run.results if r.finding.tool == tool]
        blocking = sum(r.accepted is None for r in mine)
        lines.append(f"{tool}: {covered}; {len(mine)} findings, {len(mine) - blocking} accepted, {blocking} failing")
    lines.append(f"peers: {len(run.stale)} stale exceptions")
    return "\n".join(lines) + "\n"


def as_json(run: Run) -> str:
    return json.dumps({
        "findings": [{"tool": r.finding.tool, "env": r.env, "check": r.finding.check, "resource": r.finding.resource,
                      "field": r.finding.field, "message": r.finding.message, "severity": r.finding.severity,
                      "accepted": r.accepted.reason if r.accepted else None} for r in run.results],
        "stale": [a.describe() for a in run.stale], "covered": run.counts}, indent=2) + "\n"
