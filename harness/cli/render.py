"""The render path's commands: `harness deps|render|check|checks|flows|docs`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..checks.registry import all_checks, select_checks
from ..checks.report import FORMATS, catalog
from ..checks.run import failed, run_checks
from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import dump_yaml
from ..render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from ..render.renderer import Renderer, tree_charts
from ..render.scenario import Scenario
from .base import FAILED, OK, command, existing_file, positive_int, refuse, write_reports


def add_commands(sub: argparse._SubParsersAction) -> None:
    command(sub, "deps", _deps, "build the file:// dependency archives of every chart (only those stale or missing)")

    render = command(sub, "render", _render, "render the values matrix and print what was rendered")
    _selection(render)
    render.add_argument("--out", type=Path, help="also write each scenario's manifests to DIR/<scenario>.yaml")

    check = command(sub, "check", _check, "render and run every render check; exit 1 on any finding")
    _selection(check)
    check.add_argument("--only", action="append", default=[], metavar="ID", help="check id or family (repeatable)")
    check.add_argument("--format", choices=sorted(FORMATS), default="table")
    check.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    check.add_argument("--base-ref", help="git ref for upgrade safety (default origin/main, else HEAD~1)")
    check.add_argument("--kubeconfig", type=existing_file,
                       help="validate against this API server's schemas (default: the pinned release's, no cluster)")

    command(sub, "checks", _checks, "list every render and smoke check: id, severity, subject, description")

    flows = command(sub, "flows", _flows, "print the allowed-flow matrix the NetworkPolicies give an environment")
    _selection(flows)
    flows.add_argument("--format", choices=("table", "json", "mermaid"), default="table")

    docs = command(sub, "docs", _docs, "regenerate the architecture pictures (README, docs/architecture.md)")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 when the docs drifted")


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chart", action="append", default=[], help="only this chart's matrix (repeatable)")
    parser.add_argument("--env", action="append", default=[], help="only this helmfile environment (repeatable)")
    parser.add_argument("--jobs", type=positive_int, default=None, help="parallel helm processes (default: cores)")
    parser.add_argument("--no-cache", action="store_true", help="ignore and do not write .cache/render")
    parser.add_argument("--helm", type=existing_file,
                        help="helm binary (default .tools/bin/helm; e.g. .tools/bin/helm3)")


def _selected(args: argparse.Namespace, project: Project, needs_baseline: bool = False, needs_schemas: bool = False,
              base_ref: str | None = None, kubeconfig: Path | None = None) -> list[Scenario]:
    plans = plan_scenarios(project, Selection(tuple(args.chart), tuple(args.env)))
    if not plans:
        raise HarnessError("nothing to render: no charts/ and no matrices/ found")
    options = RunOptions(workers=args.jobs, base_ref=base_ref, kubeconfig=str(kubeconfig) if kubeconfig else None,
                         use_cache=not args.no_cache)
    renderer = Renderer(project, options.workers, helm=args.helm, use_cache=options.use_cache)
    return build_scenarios(project, plans, renderer, options, needs_baseline, needs_schemas)


def _deps(args: argparse.Namespace) -> int:
    project = Project.discover()
    if not tree_charts(project.root):
        raise HarnessError(f"no chart to build the dependencies of: no {project.charts_dir}/*/Chart.yaml")
    Renderer(project).ensure_tree_dependencies(project.root)
    return OK


def _render(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    rendered = _selected(args, Project.discover())
    broken = 0
    for scenario in rendered:
        state = "FAILED " + "; ".join(scenario.render_errors) if scenario.render_errors else "ok"
        broken += bool(scenario.render_errors)
        print(f"{scenario.name:50} {len(scenario.manifests):4} objects  {state}")
        if args.out:
            target = args.out / f"{scenario.name.replace('/', '_')}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("---\n".join(dump_yaml(o.doc) for o in scenario.manifests))
    print(f"{len(rendered)} scenarios rendered in {time.perf_counter() - started:.2f}s, {broken} failed")
    return FAILED if broken else OK


def _check(args: argparse.Namespace) -> int:
    checks = select_checks(args.only)
    families = {c.family for c in checks}  # fetch baselines and schemas only when a selected check reads them
    refuse(args.base_ref is not None and "upgrade" not in families,
           "--base-ref: only the upgrade checks read a baseline, and none is selected (--only)")
    refuse(args.kubeconfig is not None and "schema" not in families,
           "--kubeconfig: only the schema checks read an API server, and none is selected (--only)")
    rendered = _selected(args, Project.discover(), needs_baseline="upgrade" in families,
                         needs_schemas="schema" in families, base_ref=args.base_ref, kubeconfig=args.kubeconfig)
    outcomes = run_checks(rendered, checks)
    write_reports(outcomes, args.format, args.output, {"junit": args.junit})
    return FAILED if failed(outcomes) else OK


def _checks(args: argparse.Namespace) -> int:
    sys.stdout.write(catalog(all_checks()))
    return OK


def _flows(args: argparse.Namespace) -> int:
    from ..policy.flows import format_flows

    project = Project.discover()
    refuse(bool(args.chart), "--chart: flows need every release of an environment; use --env")
    for scenario in (s for s in _selected(args, project) if s.is_environment):
        if scenario.intended is None:
            raise HarnessError(f"no intended-flows file at {project.intended_flows}")
        sys.stdout.write(format_flows(scenario, args.format))
    return OK


def _docs(args: argparse.Namespace) -> int:
    from ..policy import docs
    from ..policy.architecture import mermaid
    from ..publish.environments import environment_scenarios
    from ..render.helmfile import environment_names

    project = Project.discover()
    names = environment_names(project)
    rendered = {s.environment: s for s in environment_scenarios(project, names)}
    diagrams = {env: mermaid(rendered[env]) for env in names}  # the documents list them in this order
    drifts = docs.drifted(docs.expected_files(project, diagrams))
    names = ", ".join(str(d.path.relative_to(project.root)) for d in drifts)
    if args.check:
        if drifts:
            print(f"docs: {names} out of date with the rendered manifests; run `make docs`", file=sys.stderr)
            return FAILED
        print("docs: up to date")
        return OK
    docs.write(drifts)
    print(f"docs: {'updated ' + names if drifts else 'up to date'}")
    return OK
