"""`harness smoke --env ENV`: the smoke checks against a deployed environment."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ..checks.report import FORMATS
from ..checks.run import failed
from ..core.errors import HarnessError
from ..core.project import LOCAL_ENV, RELEASES, Project
from ..live.settings import HttpSettings, SmokeSettings
from .base import FAILED, OK, command, existing_file, http_url, pairs, refuse, seconds, write_reports


def add_commands(sub: argparse._SubParsersAction) -> None:
    smoke = command(sub, "smoke", _smoke, "smoke-check the releases deployed to an environment; exit 1 on a failure")
    smoke.add_argument("--env", default=LOCAL_ENV, help="local (the kwok cluster) or another helmfile environment")
    smoke.add_argument("--kubeconfig", type=existing_file,
                       help="kubeconfig of a non-local environment (default: $KUBECONFIG)")
    smoke.add_argument("--context", help="kube context (default: the kubeconfig's current one)")
    smoke.add_argument("--namespace", default="acme")
    smoke.add_argument("--only", action="append", help="run only this check id or family (repeatable)")
    smoke.add_argument("--expect-revision", action="append", default=[], metavar="RELEASE=N",
                       help="the revision a release must be at (repeatable; others only need `deployed`)")
    smoke.add_argument("--cert-min-days", type=int, default=SmokeSettings.cert_min_days)
    smoke.add_argument("--wait", type=seconds, default=0, metavar="SECONDS",
                       help="re-read the cluster until the checks pass or this time is up (right after a deploy)")
    smoke.add_argument("--data-plane", choices=("auto", "yes", "no"), default="auto",
                       help="whether containers run (auto: on local while its real node's edge serves, yes otherwise); "
                            "HTTP checks need one")
    smoke.add_argument("--resolve", action="append", default=[], metavar="HOST=ADDRESS",
                       help="like curl --resolve, for the HTTP checks")
    smoke.add_argument("--ca-file", type=existing_file,
                       help="CA bundle for the HTTP checks (default: system trust store)")
    smoke.add_argument("--prometheus", type=http_url, metavar="URL",
                       help="the environment's Prometheus for the observability checks (default: on local the real "
                            "node's; elsewhere none, and they skip)")
    smoke.add_argument("--format", choices=sorted(FORMATS), default="table")
    smoke.add_argument("--output", type=Path, help="write the report here instead of stdout")
    smoke.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    smoke.add_argument("--json", type=Path, help="also write a JSON report here")


def _smoke(args: argparse.Namespace) -> int:
    # The cluster side (the kubernetes client among it) loads only for the commands that reach a cluster.
    from ..deploy.cluster.client import api_client, reachable
    from ..deploy.smoke import runner
    from ..deploy.node import lifecycle
    from ..deploy.node.settings import NodeSettings
    from ..deploy.target import data_plane, observability, target_for, wire_measurer
    from ..live import snapshot

    revisions = _revisions(args.expect_revision)
    resolve = pairs(args.resolve, "--resolve")
    # Local has a data plane only while its real node runs (then the edge's address and CA are found).
    none = args.data_plane == "no" or (args.data_plane == "auto" and args.env == LOCAL_ENV
                                       and not lifecycle.status(NodeSettings.from_env()).running)
    refuse(bool(args.resolve or args.ca_file) and none,
           "--resolve/--ca-file: only the HTTP checks use them, and they need a data plane "
           f"(--data-plane {args.data_plane} on {args.env} means none; pass --data-plane yes when its containers run)")
    target = target_for(args.env, args.kubeconfig, args.context)
    api = api_client(target.kubeconfig, target.context)
    if not reachable(api, timeout=5):
        raise HarnessError(f"{args.env}: API server not reachable (kubeconfig {target.kubeconfig or '$KUBECONFIG'})")
    project = Project.discover()
    found = data_plane(project, target, api) if args.data_plane == "auto" else {}
    http = found.get("http") or HttpSettings()
    if args.resolve or args.ca_file:
        http = replace(http, resolve=resolve,
                       ca_file=str(args.ca_file) if args.ca_file else http.ca_file)
    settings = SmokeSettings(
        env=args.env, namespace=args.namespace, expected_revisions=revisions, cert_min_days=args.cert_min_days,
        data_plane=found.get("data_plane", args.data_plane == "yes"), http=http,
        observability=observability(project, target, api, args.prometheus))
    wire = wire_measurer(project, target, api) if settings.data_plane else None
    outcomes = runner.run_until_settled(lambda: snapshot.load(api, args.namespace), settings, args.wait, args.only,
                                        wire=wire)
    write_reports(outcomes, args.format, args.output, {"junit": args.junit, "json": args.json})
    return FAILED if failed(outcomes) else OK


def _revisions(values: list[str]) -> dict[str, int]:
    revisions = {}
    for release, revision in pairs(values, "--expect-revision").items():
        refuse(release not in RELEASES, f"--expect-revision: unknown release `{release}` (known: {', '.join(RELEASES)})")
        refuse(not revision.isdigit() or int(revision) < 1, f"--expect-revision: {release}'s N must be a positive "
               f"integer, got {revision!r}")
        revisions[release] = int(revision)
    return revisions
