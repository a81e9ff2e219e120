"""Command line: `harness render|check|checks|lint|flows|docs|schema|version-check|package|release` (also `python -m harness`, `acme-harness`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .core.errors import HarnessError
from .render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios
from .checks.run import failed, run_checks
from .core.project import Project
from .checks.registry import all_checks, select_checks
from .render.renderer import Renderer
from .checks.report import FORMATS, catalog, summary
from .core.yamlio import dump_yaml


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line too (argparse would print the whole usage first)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text: str) -> int:
    """--jobs: 0 or a negative count would reach ThreadPoolExecutor as a traceback."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="harness", description="Render the Acme charts and check their invariants.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def selection(p):
        p.add_argument("--chart", action="append", default=[], help="only this chart's matrix (repeatable)")
        p.add_argument("--env", action="append", default=[], help="only this helmfile environment (repeatable)")
        p.add_argument("--jobs", type=_positive_int, default=None, help="parallel helm processes (default: cores)")
        p.add_argument("--no-cache", action="store_true", help="ignore and do not write .cache/render")
        p.add_argument("--helm", type=Path, help="helm binary (default .tools/bin/helm; e.g. .tools/bin/helm3)")

    render = sub.add_parser("render", help="render the values matrix and print what was rendered")
    selection(render)
    render.add_argument("--out", type=Path, help="also write each scenario's manifests to DIR/<scenario>.yaml")

    check = sub.add_parser("check", help="render and run every check; non-zero exit on any finding")
    selection(check)
    check.add_argument("--only", action="append", default=[], metavar="ID", help="check id or family (repeatable)")
    check.add_argument("--format", choices=sorted(FORMATS), default="table")
    check.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    check.add_argument("--base-ref", help="git ref for upgrade safety (default origin/main, else HEAD~1)")
    check.add_argument("--kubeconfig", help="API server for schema validation (default: the local cluster when it runs)")

    flows = sub.add_parser("flows", help="print the allowed-flow matrix the NetworkPolicies give an environment")
    selection(flows)
    flows.add_argument("--format", choices=("table", "json", "mermaid"), default="table")

    sub.add_parser("checks", help="list every render and smoke check: id, severity, subject, description")
    lint = sub.add_parser("lint", help="helm lint --strict per ci scenario, README drift, helmfile lint")
    lint.add_argument("--chart", action="append", default=[])
    lint.add_argument("--jobs", type=_positive_int, default=None)

    docs = sub.add_parser("docs", help="regenerate the architecture pictures (README, docs/architecture.md)")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 when the docs drifted")

    schema = sub.add_parser("schema", help="compose values.schema.json from acme-lib's fragments (values.schema.src.json)")
    schema.add_argument("--check", action="store_true", help="write nothing; exit 1 when a schema drifted")

    version = sub.add_parser("version-check", help="changed charts have a higher version; Chart.yaml complete")
    version.add_argument("--base-ref", default="origin/main", help="the base branch (default origin/main)")

    package = sub.add_parser("package", help="helm package every chart; with --push, push and pull back")
    package.add_argument("--chart", action="append", default=[], help="only this chart (repeatable)")
    package.add_argument("--out", type=Path, default=Path("build/charts"), help="archive directory")
    package.add_argument("--push", metavar="oci://HOST/REPO", help="push each archive there and verify a pull")
    package.add_argument("--plain-http", action="store_true", help="registry without TLS (loopback tests)")

    release = sub.add_parser("release", help="preflight, helmfile diff + apply, smoke, rollback on failure")
    release.add_argument("--env", required=True, help="local, staging or production")
    release.add_argument("--kubeconfig", help="staging/production kubeconfig (default $KUBECONFIG)")
    release.add_argument("--confirm-context", help="the kube context name; required for staging/production")
    release.add_argument("--namespace", default="acme")
    release.add_argument("--base-ref", help="git ref for the render checks' upgrade baseline")
    release.add_argument("--report-dir", type=Path, default=Path("build/reports"),
                         help="writes release-ENV.md and release-ENV.xml (JUnit) here")
    release.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                         help="retry failing smoke checks this long after the apply (default 120)")
    release.add_argument("--skip-preflight", action="store_true", help="emergency only: deploy without the gates")
    release.add_argument("--no-rollback", action="store_true", help="leave a deploy whose smoke fails in place")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except HarnessError as exc:
        print(f"harness {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable --output/--junit path, a vanished file: still one line
        print(f"harness {args.command}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"harness {args.command}: interrupted", file=sys.stderr)
        return 130


def _cmd_checks(args) -> int:
    sys.stdout.write(catalog(all_checks()))
    return 0


def _scenarios(args, project: Project, needs_baseline: bool, needs_schemas: bool = False, base_ref=None,
               kubeconfig=None):
    plans = plan_scenarios(project, Selection(tuple(args.chart), tuple(args.env)))
    if not plans:
        raise HarnessError("nothing to render: no charts/ and no matrices/ found")
    options = RunOptions(workers=args.jobs, base_ref=base_ref, kubeconfig=kubeconfig, use_cache=not args.no_cache)
    if args.helm and not args.helm.exists():
        raise HarnessError(f"--helm: {args.helm} does not exist")
    # Named explicitly, a missing file is a typo, not "no server": skipping schemas would hide it.
    if kubeconfig and not Path(kubeconfig).exists():
        raise HarnessError(f"--kubeconfig: {kubeconfig} does not exist")
    renderer = Renderer(project, options.workers, helm=args.helm, use_cache=options.use_cache)
    return build_scenarios(project, plans, renderer, options, needs_baseline, needs_schemas)


def _cmd_render(args) -> int:
    project = Project.discover()
    started = time.perf_counter()
    scenarios = _scenarios(args, project, needs_baseline=False)
    failed = 0
    for scenario in scenarios:
        state = "FAILED " + "; ".join(scenario.render_errors) if scenario.render_errors else "ok"
        failed += bool(scenario.render_errors)
        print(f"{scenario.name:50} {len(scenario.manifests):4} objects  {state}")
        if args.out:
            target = args.out / f"{scenario.name.replace('/', '_')}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("---\n".join(dump_yaml(o.doc) for o in scenario.manifests))
    print(f"{len(scenarios)} scenarios rendered in {time.perf_counter() - started:.2f}s, {failed} failed")
    return 1 if failed else 0


def _cmd_check(args) -> int:
    project = Project.discover()
    checks = select_checks(args.only)
    families = {c.id.split(".", 1)[0] for c in checks}  # fetch baselines and schemas only when used
    scenarios = _scenarios(args, project, "upgrade" in families, "schema" in families, args.base_ref, args.kubeconfig)
    outcomes = run_checks(scenarios, checks)
    report = FORMATS[args.format](outcomes)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report)
        print(summary(outcomes))
    else:
        sys.stdout.write(report)
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(FORMATS["junit"](outcomes))
    return 1 if failed(outcomes) else 0


def _cmd_flows(args) -> int:
    from .policy.flows import format_flows

    project = Project.discover()
    if args.chart:
        raise HarnessError("flows: use --env (flows need every release of an environment), not --chart")
    scenarios = [s for s in _scenarios(args, project, needs_baseline=False) if s.is_environment]
    for scenario in scenarios:
        if scenario.intended is None:
            raise HarnessError(f"no intended-flows file at {project.intended_flows}")
        sys.stdout.write(format_flows(scenario, args.format))
    return 0


def _cmd_lint(args) -> int:
    from .publish.lint import lint

    project = Project.discover()
    charts = project.chart_names()
    for chart in args.chart:
        if chart not in charts:
            raise HarnessError(f"unknown chart `{chart}` (known: {', '.join(charts) or 'none'})")
    # A library's consumer chart (charts/<lib>/tests/<name>/) renders the library's helpers: lint it too.
    consumers = [str(p.parent.relative_to(project.charts_dir)) for p in sorted(project.charts_dir.glob("*/tests/*/Chart.yaml"))]
    selected = args.chart or charts + consumers
    documented = [p.parent.name for p in sorted(project.charts_dir.glob("*/Chart.yaml"))
                  if not args.chart or p.parent.name in args.chart]
    runs, failures = lint(project, selected, documented, args.jobs, with_helmfile=not args.chart)
    for line in failures:
        print(line, file=sys.stderr)
    print(f"lint: {runs} runs, {len(failures)} failed")
    return 1 if failures else 0


def _environment_scenario(project: Project, env: str):
    args = argparse.Namespace(chart=[], env=[env], jobs=None, no_cache=False, helm=None)
    return next(s for s in _scenarios(args, project, needs_baseline=False) if s.is_environment)


def _cmd_docs(args) -> int:
    from .policy import docs
    from .policy.architecture import mermaid
    from .render.helmfile import environment_names

    project = Project.discover()
    diagrams = {env: mermaid(_environment_scenario(project, env)) for env in environment_names(project)}
    drifts = docs.drifted(docs.expected_files(project, diagrams))
    names = ", ".join(str(d.path.relative_to(project.root)) for d in drifts)
    if args.check:
        if drifts:
            print(f"docs: {names} out of date with the rendered manifests; run `make docs`", file=sys.stderr)
            return 1
        print("docs: up to date")
        return 0
    docs.write(drifts)
    print(f"docs: {'updated ' + names if drifts else 'up to date'}")
    return 0


def _cmd_schema(args) -> int:
    from .publish import schema as schemagen

    project = Project.discover()
    generated = schemagen.generate(project)
    drifted = [g for g in generated if g.drifted]
    names = ", ".join(str(g.target.relative_to(project.root)) for g in drifted)
    if args.check:
        if drifted:
            print(f"schema: {names} out of date with {schemagen.SOURCE_NAME} and acme-lib's fragments; "
                  "run `make schema`", file=sys.stderr)
            return 1
        print(f"schema: {len(generated)} up to date")
        return 0
    schemagen.write(drifted)
    print(f"schema: {'updated ' + names if drifted else f'{len(generated)} up to date'}")
    return 0


def _cmd_version_check(args) -> int:
    from .publish.versioning import check

    changed, problems = check(Project.discover(), args.base_ref)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print(f"version-check: charts changed since {args.base_ref}: {', '.join(changed) or 'none'}; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


def _cmd_package(args) -> int:
    from .publish.packaging import package, publish

    project = Project.discover()
    packages = package(project, args.chart or project.chart_names() + _library_charts(project), args.out)
    failed = 0
    for pkg in packages:
        if not args.push:
            print(f"{pkg.chart:16} {pkg.version:10} {pkg.archive}")
            continue
        published = publish(project.tool("helm"), pkg, args.push, args.plain_http)
        failed += not (published.verified or published.existed)
        state = ("already published (not pushed again; bump the chart version)" if published.existed else
                 "verified" if published.verified else f"MISMATCH pulled {published.pulled_digest}")
        print(f"{published.reference:60} {published.digest}  {state}")
    return 1 if failed else 0


def _library_charts(project: Project) -> list[str]:
    """Library charts are packaged too: a consumer of the OCI charts may depend on them."""
    return sorted(p.parent.name for p in project.charts_dir.glob("*/Chart.yaml")
                  if p.parent.name not in project.chart_names())


def _cmd_release(args) -> int:
    from .deploy.release import report
    from .deploy.release.flow import SETTLE_SECONDS, ReleaseOptions, release

    options = ReleaseOptions(env=args.env, kubeconfig=args.kubeconfig, confirm_context=args.confirm_context,
                             namespace=args.namespace, base_ref=args.base_ref, preflight=not args.skip_preflight,
                             rollback=not args.no_rollback,
                             settle_seconds=SETTLE_SECONDS if args.settle is None else args.settle)
    record = release(Project.discover(), options, log=lambda line: print(line, flush=True))
    written = report.write(record, args.report_dir)
    print(f"release: exit {int(record.exit)} ({record.exit.name.lower().replace('_', ' ')}); "
          f"reports {', '.join(str(p) for p in written)}")
    return int(record.exit)


_COMMANDS = {"checks": _cmd_checks, "render": _cmd_render, "check": _cmd_check, "flows": _cmd_flows,
             "lint": _cmd_lint, "docs": _cmd_docs, "schema": _cmd_schema, "version-check": _cmd_version_check, "package": _cmd_package,
             "release": _cmd_release}
