"""What `helmfile -e ENV` deploys, rendered by the harness, for the outside tools that read files."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import dump_yaml
from ..render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from ..render.renderer import Renderer
from ..render.scenario import Scenario


def environment_scenarios(project: Project, envs: list[str]) -> list[Scenario]:
    """One scenario per environment holding every release; a render failure is an error."""
    plans = plan_scenarios(project, Selection(environments=tuple(envs)))
    scenarios = build_scenarios(project, plans, Renderer(project), RunOptions(), needs_baseline=False,
                                needs_schemas=False)
    for scenario in scenarios:
        if scenario.render_errors:
            raise HarnessError(f"{scenario.name}: render failed: {scenario.render_errors[0]}")
    return [s for s in scenarios if s.is_environment]


def render_environments(project: Project, envs: list[str], directory: Path) -> dict[str, str]:
    """Each environment's manifests into DIR/<env>.yaml; file name -> env."""
    files = {}
    for scenario in environment_scenarios(project, envs):
        name = f"{scenario.environment}.yaml"
        (directory / name).write_text("---\n".join(dump_yaml(o.doc) for o in scenario.manifests))
        files[name] = scenario.environment
    return files
