"""From a selection (charts, environments) to rendered scenarios and check outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .baseline import Baseline, resolve_baseline
from ..core.errors import HarnessError
from .helmfile import HelmfileState, environment_names, load_state, require_environment
from ..core.manifests import Manifests
from .matrix import Case, load_matrices
from ..policy.intended import load_intended_flows
from ..core.project import Project
from .renderer import Renderer, RenderJob
from .scenario import Scenario
from .schemas import OpenAPISchemas
from .settings import Settings
from ..core.yamlio import load_yaml_file

PLATFORM = "acme-platform"


@dataclass(frozen=True)
class Selection:
    charts: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()


@dataclass
class ScenarioPlan:
    """What to render for one scenario: the jobs under test and the reference jobs."""

    name: str
    jobs: list[RenderJob]
    reference_jobs: list[RenderJob] = field(default_factory=list)
    environment: str | None = None
    is_environment: bool = False
    helmfile: HelmfileState | None = None


class _States:
    """helmfile states, loaded once per environment and only when asked for."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.loaded: dict[str, HelmfileState] = {}

    def get(self, environment: str) -> HelmfileState:
        if environment not in self.loaded:
            self.loaded[environment] = load_state(self.project, environment)
        return self.loaded[environment]


def plan_scenarios(project: Project, selection: Selection) -> list[ScenarioPlan]:
    matrices = load_matrices(project)
    known_envs = environment_names(project)
    for chart in selection.charts:
        if chart not in matrices:
            raise HarnessError(f"unknown chart `{chart}` (known: {', '.join(sorted(matrices)) or 'none'})")
    for env in selection.environments:
        require_environment(project, env)
    # Neither: everything. --chart: its cases. --env: that environment. Both: the chart's cases of that env.
    charts = selection.charts or (tuple(sorted(matrices)) if not selection.environments else ())
    if selection.charts:
        envs: tuple[str, ...] = ()
    else:
        envs = selection.environments or tuple(known_envs)
    plans: list[ScenarioPlan] = []
    states = _States(project)
    for env in envs:
        state = states.get(env)
        jobs = [RenderJob(r.chart_dir, r.name, r.namespace, r.values_files, label=f"{r.name}@{env}")
                for r in state.releases]
        if jobs:
            plans.append(ScenarioPlan(f"env/{env}", jobs, [], env, True, state))
    for chart in charts:
        for case in matrices[chart].cases:
            if selection.environments and case.environment not in selection.environments:
                continue
            if case.name.startswith("env/") and case.environment in envs:
                continue  # the environment scenario renders exactly this, beside the other releases
            plans.append(ScenarioPlan(case.label, [_case_job(project, case, states)],
                                      _reference_jobs(project, case, known_envs), case.environment))
    return plans


def _case_job(project: Project, case: Case, states: _States) -> RenderJob:
    values = case.values_files
    if case.name.startswith("env/"):
        # An environment layer renders with exactly the layers helmfile passes (inline maps included).
        release = next((r for r in states.get(case.environment).releases if r.name == case.release), None)
        values = release.values_files if release else values
    return RenderJob(project.charts_dir / case.chart, case.release, case.namespace, values,
                     case.inline_values, label=case.label)


def _reference_jobs(project: Project, case: Case, known_envs: list[str]) -> list[RenderJob]:
    """The platform render an application chart is checked against (same environment, else defaults)."""
    platform_dir = project.charts_dir / PLATFORM
    if case.chart == PLATFORM or not (platform_dir / "Chart.yaml").exists():
        return []
    def job(env: str | None) -> RenderJob:
        layer = project.values_dir / PLATFORM / f"{env}.yaml"
        files = (layer,) if env and layer.exists() else ()
        return RenderJob(platform_dir, PLATFORM, case.namespace, files, label=f"{PLATFORM}@{env or 'defaults'} (reference)")

    if case.environment in known_envs:
        return [job(case.environment)]
    # Not tied to an environment: whatever the platform renders in any of them may be referenced.
    return [job(None), *(job(env) for env in known_envs)]


@dataclass
class RunOptions:
    workers: int | None = None
    base_ref: str | None = None
    kubeconfig: str | None = None
    use_cache: bool = True


def build_scenarios(project: Project, plans: list[ScenarioPlan], renderer: Renderer,
                    options: RunOptions, needs_baseline: bool, needs_schemas: bool = True) -> list[Scenario]:
    baseline = resolve_baseline(project, options.base_ref) if needs_baseline else Baseline(None, "not requested")
    base_jobs = base_jobs_for(project, plans, baseline)
    every_job = all_jobs(plans, base_jobs)
    results = dict(zip(every_job, renderer.render_all(every_job)))
    intended = load_intended_flows(project.intended_flows) if project.intended_flows.exists() else None
    schemas = _schemas(project, options) if needs_schemas else None
    settings = Settings()
    scenarios = []
    for plan in plans:
        manifests, errors = _combine(results[j] for j in plan.jobs)
        reference, reference_errors = _combine(results[j] for j in plan.reference_jobs)
        errors += reference_errors  # checked against a platform that does not render: nothing to trust
        base_results = [results.get(base_jobs[j]) for j in plan.jobs if base_jobs[j] is not None]
        base, base_errors = _combine(base_results)
        note = baseline.note
        if not base_results:
            base, note = None, (baseline.note if baseline.charts_dir is None else f"chart not present at {baseline.note}")
        elif base_errors:
            base, note = None, f"upgrade safety skipped: render at {baseline.note} failed: {base_errors[0]}"
        scenario = Scenario(
            name=plan.name, manifests=manifests, environment=plan.environment, is_environment=plan.is_environment,
            reference=manifests.merged(reference) if plan.reference_jobs else None,
            values=_values_layers([*plan.jobs, *plan.reference_jobs]), baseline=base, baseline_note=note, helmfile=plan.helmfile,
            intended=intended, settings=settings, schemas=schemas, render_errors=errors)
        scenarios.append(scenario)
    return scenarios


def _schemas(project: Project, options: RunOptions) -> OpenAPISchemas:
    """The named cluster's schemas with --kubeconfig, else the pinned release's and CRDs' (no cluster)."""
    cache = project.cache_dir / "openapi"
    if options.kubeconfig:
        return OpenAPISchemas.from_kubeconfig(options.kubeconfig, cache)
    return OpenAPISchemas.pinned(project.root, cache)


def all_jobs(plans: list[ScenarioPlan], base_jobs: dict[RenderJob, RenderJob | None]) -> list[RenderJob]:
    """Every distinct render the plans need: under test, references, and the base-ref renders."""
    jobs = [j for p in plans for j in (*p.jobs, *p.reference_jobs)]
    jobs += [j for j in base_jobs.values() if j is not None]
    return list(dict.fromkeys(jobs))


def base_jobs_for(project: Project, plans: list[ScenarioPlan], baseline: Baseline) -> dict[RenderJob, RenderJob | None]:
    return {job: _at_base(job, project, baseline) for plan in plans for job in plan.jobs}


def _at_base(job: RenderJob, project: Project, baseline: Baseline) -> RenderJob | None:
    if baseline.charts_dir is None:
        return None
    chart_dir = baseline.charts_dir / job.chart_dir.name
    if not (chart_dir / "Chart.yaml").exists():
        return None
    values = tuple(baseline.values_file(project, path) for path in job.values_files)
    return RenderJob(chart_dir, job.release, job.namespace, values, job.inline_values,
                     label=f"{job.describe()} at base")


def _combine(results) -> tuple[Manifests, list[str]]:
    manifests, errors = Manifests(), []
    for result in results:
        if result is None:
            continue
        if result.error:
            errors.append(f"{result.job.describe()}: {result.error}")
        for obj in Manifests.from_documents(result.documents, result.job.release, result.job.namespace):
            manifests.add(obj)
    return manifests, errors


def _values_layers(jobs: list[RenderJob]) -> list:
    layers = []
    for job in jobs:
        layers += [load_yaml_file(Path(p)) if Path(p).exists() else None for p in job.values_files]
        if job.inline_values:
            layers.append(yaml.safe_load(job.inline_values))
    return [layer for layer in layers if layer]
