"""The publish path's commands: `harness lint|schema|version-check|package|scan|compat|peers`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..core.errors import HarnessError
from ..core.project import Project
from .base import FAILED, OK, command, existing_file, positive_int, refuse


def add_commands(sub: argparse._SubParsersAction) -> None:
    lint = command(sub, "lint", _lint, "helm lint --strict per ci scenario, README drift, helmfile lint")
    lint.add_argument("--chart", action="append", default=[], help="only this chart (repeatable)")
    lint.add_argument("--jobs", type=positive_int, default=None, help="parallel helm processes (default: cores)")

    schema = command(sub, "schema", _schema,
                     "compose values.schema.json from acme-lib's fragments (values.schema.src.json)")
    schema.add_argument("--check", action="store_true", help="write nothing; exit 1 when a schema drifted")

    version = command(sub, "version-check", _version_check,
                      "changed charts carry a higher version; Chart.yaml and CHANGELOG complete")
    version.add_argument("--base-ref", default="origin/main", help="the base branch (default origin/main)")

    package = command(sub, "package", _package, "helm package every chart; with --push, push and pull back")
    package.add_argument("--chart", action="append", default=[], help="only this chart (repeatable)")
    package.add_argument("--out", type=Path, default=Path("build/charts"), help="archive directory")
    package.add_argument("--push", metavar="oci://HOST/REPO", help="push each archive there and verify a pull")
    package.add_argument("--plain-http", action="store_true", help="registry without TLS (loopback tests)")

    scan = command(sub, "scan", _scan, "opt-in policy scan: checkov over every environment's manifests")
    _environments(scan)
    scan.add_argument("--checkov", type=existing_file,
                      help="checkov binary (default $ACME_CHECKOV, .venv-scan/bin/checkov, PATH)")
    scan.add_argument("--exceptions", type=existing_file,
                      help="accepted findings (default policy/scan-exceptions.yaml)")
    scan.add_argument("--format", choices=("table", "json"), default="table")

    compat = command(sub, "compat", _compat, "Helm 3 and Helm 4 render the same manifests for every scenario")
    compat.add_argument("--helm3", type=existing_file, help="Helm 3 binary (default .tools/bin/helm3)")
    compat.add_argument("--chart", action="append", default=[], help="only this chart's matrix (repeatable)")
    compat.add_argument("--env", action="append", default=[], help="only this helmfile environment (repeatable)")

    peers = command(sub, "peers", _peers,
                    "kube-score, kubeconform and ct lint over what we ship; accepted findings in policy/")
    _environments(peers)
    peers.add_argument("--tool", action="append", default=[], choices=("kube-score", "kubeconform", "ct"),
                       help="peer to run (repeatable; default all)")
    peers.add_argument("--exceptions", type=existing_file,
                       help="accepted findings (default policy/peer-exceptions.yaml)")
    peers.add_argument("--format", choices=("table", "json"), default="table")


def _environments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", action="append", default=[], help="environment (repeatable; default all)")


def _known_environments(project: Project, envs: list[str]) -> list[str]:
    """The named environments (all when none is named), each one the helmfile declares."""
    from ..render.helmfile import environment_names, require_environment

    for env in envs:
        require_environment(project, env)
    return envs or environment_names(project)


def _lint(args: argparse.Namespace) -> int:
    from ..publish.lint import lint

    project = Project.discover()
    charts = project.chart_names()
    for chart in args.chart:
        if chart not in charts:
            raise HarnessError(f"unknown chart `{chart}` (known: {', '.join(charts) or 'none'})")
    # A library's consumer chart (charts/<lib>/tests/<name>/) renders the library's helpers: lint it too.
    consumers = [str(p.parent.relative_to(project.charts_dir))
                 for p in sorted(project.charts_dir.glob("*/tests/*/Chart.yaml"))]
    selected = args.chart or charts + consumers
    documented = [p.parent.name for p in sorted(project.charts_dir.glob("*/Chart.yaml"))
                  if not args.chart or p.parent.name in args.chart]
    runs, failures = lint(project, selected, documented, args.jobs, with_helmfile=not args.chart)
    for line in failures:
        print(line, file=sys.stderr)
    print(f"lint: {runs} runs, {len(failures)} failed")
    return FAILED if failures else OK


def _schema(args: argparse.Namespace) -> int:
    from ..publish import schema as schemagen

    project = Project.discover()
    generated = schemagen.generate(project)
    drifted = [g for g in generated if g.drifted]
    names = ", ".join(str(g.target.relative_to(project.root)) for g in drifted)
    if args.check:
        if drifted:
            print(f"schema: {names} out of date with {schemagen.SOURCE_NAME} and acme-lib's fragments; "
                  "run `make schema`", file=sys.stderr)
            return FAILED
        print(f"schema: {len(generated)} up to date")
        return OK
    schemagen.write(drifted)
    print(f"schema: {'updated ' + names if drifted else f'{len(generated)} up to date'}")
    return OK


def _version_check(args: argparse.Namespace) -> int:
    from ..publish.versioning import check

    changed, problems = check(Project.discover(), args.base_ref)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print(f"version-check: charts changed since {args.base_ref}: {', '.join(changed) or 'none'}; "
          f"{len(problems)} problem(s)")
    return FAILED if problems else OK


def _package(args: argparse.Namespace) -> int:
    from ..publish.packaging import package, publish

    refuse(args.plain_http and not args.push, "--plain-http: applies only to a registry named with --push")
    project = Project.discover()
    # Library charts are packaged too: a consumer of the OCI charts may depend on them.
    libraries = sorted(p.parent.name for p in project.charts_dir.glob("*/Chart.yaml")
                       if p.parent.name not in project.chart_names())
    packages = package(project, args.chart or project.chart_names() + libraries, args.out)
    broken = 0
    for pkg in packages:
        if not args.push:
            print(f"{pkg.chart:16} {pkg.version:10} {pkg.archive}")
            continue
        published = publish(project.tool("helm"), pkg, args.push, args.plain_http)
        broken += not (published.verified or published.existed)
        state = ("already published (not pushed again; bump the chart version)" if published.existed else
                 "verified" if published.verified else f"MISMATCH pulled {published.pulled_digest}")
        print(f"{published.reference:60} {published.digest}  {state}")
    return FAILED if broken else OK


def _scan(args: argparse.Namespace) -> int:
    from ..publish import scan

    project = Project.discover()
    exceptions = scan.load_exceptions(args.exceptions or scan.exceptions_file(project))
    envs = _known_environments(project, args.env)
    findings = scan.scan(project, envs, scan.find_checkov(project, args.checkov), exceptions)
    # Only a full scan can tell an exception matches nothing anywhere.
    stale = [] if args.env else scan.unused(exceptions, findings)
    if args.format == "json":
        print(json.dumps([{"env": f.env, "check": f.check, "title": f.title, "resource": f.resource,
                           "accepted": f.accepted.reason if f.accepted else None} for f in findings], indent=2))
    else:
        sys.stdout.write(scan.table(findings, stale))
    return FAILED if stale or any(not f.accepted for f in findings) else OK


def _compat(args: argparse.Namespace) -> int:
    from ..publish.compat import compare, render_with
    from ..render.pipeline import Selection

    project = Project.discover()
    helm3 = args.helm3 or project.tool("helm3")
    selection = Selection(tuple(args.chart), tuple(args.env))
    old, new = render_with(project, helm3, selection, None), render_with(project, None, selection, None)
    differences = compare(old, new)
    for d in differences:
        print(f"{d.scenario}  {d.object}  {d.field}: helm3={d.helm3!r} helm4={d.helm4!r}")
    print(f"compat: {len(old)} scenarios rendered by Helm 3 and Helm 4, {len(differences)} differences")
    return FAILED if differences else OK


def _peers(args: argparse.Namespace) -> int:
    from ..publish import peers

    project = Project.discover()
    exceptions = peers.load(project, args.exceptions)
    envs = _known_environments(project, args.env)
    run = peers.run_peers(project, envs, args.tool or list(peers.TOOLS), exceptions,
                          full=not args.env and not args.tool)
    sys.stdout.write(peers.as_json(run) if args.format == "json" else peers.table(run))
    return FAILED if run.failed else OK
