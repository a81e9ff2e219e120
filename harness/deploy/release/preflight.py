"""Preflight of a release: the same gates as a pull request, plus upgrade safety against the
revisions that are deployed right now (not against git), because that is what helm upgrades from."""

from __future__ import annotations

import time
from typing import Callable

from ...publish.lint import lint
from ...core.manifests import Manifests
from ...render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from ...checks.run import Outcome, Status, run_checks
from ...core.project import Project
from ...checks.registry import select_checks
from ...render.renderer import Renderer
from ...live.releases import revisions
from ...live.snapshot import Obj
from ...tools import helm as helm_tool
from .outcome import Step


def timed(name: str, action: Callable[[], tuple[bool, str, str]]) -> Step:
    """Run a gate: (ok, one-line detail, long output) -> Step."""
    started = time.monotonic()
    ok, detail, output = action()
    return Step(name, Status.PASS if ok else Status.FAIL, time.monotonic() - started, detail, output)


def run_lint(project: Project) -> tuple[bool, str, str]:
    charts = project.chart_names()
    documented = [p.parent.name for p in sorted(project.charts_dir.glob("*/Chart.yaml"))]
    runs, failures = lint(project, charts, documented)
    return not failures, f"{runs} runs, {len(failures)} failed", "\n".join(failures)


def run_unittest(project: Project) -> tuple[bool, str, str]:
    charts = [str(p.parent) for p in sorted(project.charts_dir.glob("*/tests")) if p.is_dir()]
    if not charts:
        return True, "no helm-unittest suites", ""
    done = helm_tool.unittest(project.tool("helm"), charts, project.root)
    tail = (done.stdout + done.stderr).strip().splitlines()
    summary = next((line.strip() for line in reversed(tail) if line.strip().startswith("Tests:")), "")
    return done.returncode == 0, summary or f"exit {done.returncode}", "\n".join(tail[-40:]) if done.returncode else ""


def _failures(outcomes: list[Outcome]) -> tuple[bool, str, str]:
    failed = [o for o in outcomes if o.status is Status.FAIL]
    lines = [f"{f.check_id} {f.scenario} {f.object or '-'} {f.field}: {f.message}" for o in failed for f in o.findings]
    skipped = sum(o.status is Status.SKIP for o in outcomes)
    return not failed, f"{len(outcomes)} check runs, {len(failed)} failed, {skipped} skipped", "\n".join(lines)


def run_render_checks(project: Project, base_ref: str | None, kubeconfig: str | None) -> tuple[bool, str, str]:
    """`make test-render`: every chart's matrix and every environment, every check; objects are
    validated against the OpenAPI schemas (CRDs included) of the cluster being released to."""
    plans = plan_scenarios(project, Selection())
    options = RunOptions(base_ref=base_ref, kubeconfig=kubeconfig)
    scenarios = build_scenarios(project, plans, Renderer(project), options, needs_baseline=True, needs_schemas=True)
    return _failures(run_checks(scenarios, select_checks(None)))


def deployed_baseline(release_secrets: list[Obj], namespace: str) -> Manifests | None:
    """The objects of every release's deployed revision, tagged with their release name."""
    objects = Manifests()
    for name, revs in revisions(release_secrets).items():
        current = next((r for r in revs if r.status == "deployed"), None)
        if current is not None:
            for obj in Manifests.from_documents(current.manifest(), name, namespace):
                objects.add(obj)
    return objects if len(objects) else None


def run_upgrade_safety(project: Project, env: str, deployed: Manifests | None) -> tuple[bool, str, str]:
    """The upgrade checks with the live revisions as the 'before' side of the environment scenario."""
    if deployed is None:
        return True, "nothing deployed yet: first install, no upgrade to check", ""
    plans = plan_scenarios(project, Selection(environments=(env,)))
    scenarios = [s for s in build_scenarios(project, plans, Renderer(project), RunOptions(), needs_baseline=False,
                                            needs_schemas=False) if s.is_environment]
    for scenario in scenarios:
        scenario.baseline, scenario.baseline_note = deployed, "the revisions deployed now"
    return _failures(run_checks(scenarios, select_checks(["upgrade"])))
