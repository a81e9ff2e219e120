"""`python -m harness.deploy.smoke --env ENV`: smoke-check a deployed environment; non-zero on any failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...core.errors import HarnessError
from ...checks.report import FORMATS, summary
from ...checks.run import Outcome
from . import runner
from ...live import snapshot
from ...live.settings import HttpSettings, SmokeSettings
from ..cluster.client import api_client, reachable
from ..target import target_for


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key or not val:
            raise HarnessError(f"{what}: expected KEY=VALUE, got {value!r}")
        pairs[key] = val
    return pairs


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m harness.deploy.smoke", description=__doc__)
    p.add_argument("--env", default="local", help="local (the kwok cluster), staging or production")
    p.add_argument("--kubeconfig", help="kubeconfig for staging/production (default: $KUBECONFIG)")
    p.add_argument("--context", help="kube context (default: the kubeconfig's current one)")
    p.add_argument("--namespace", default="acme")
    p.add_argument("--only", action="append", help="run only this check id or family (repeatable)")
    p.add_argument("--expect-revision", action="append", default=[], metavar="RELEASE=N")
    p.add_argument("--cert-min-days", type=int, default=SmokeSettings.cert_min_days)
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                   help="re-read the cluster until the checks pass or this time is up (right after a deploy)")
    p.add_argument("--data-plane", choices=("auto", "yes", "no"), default="auto",
                   help="whether containers run (auto: no for local, yes otherwise); HTTP checks need one")
    p.add_argument("--resolve", action="append", default=[], metavar="HOST=ADDRESS", help="like curl --resolve")
    p.add_argument("--ca-file", help="CA bundle for the HTTPS checks (default: system trust store)")
    p.add_argument("--format", choices=sorted(FORMATS), default="table")
    p.add_argument("--output", type=Path, help="write the report here instead of stdout")
    p.add_argument("--junit", type=Path, help="also write a JUnit XML report here")
    p.add_argument("--json", type=Path, help="also write a JSON report here")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        target = target_for(args.env, args.kubeconfig, args.context)
        revisions = {k: int(v) if v.isdigit() else -1 for k, v in _pairs(args.expect_revision, "--expect-revision").items()}
        if -1 in revisions.values():
            raise HarnessError("--expect-revision: N must be a positive integer")
        data_plane = args.data_plane == "yes" or (args.data_plane == "auto" and not target.local)
        settings = SmokeSettings(
            env=args.env, namespace=args.namespace, expected_revisions=revisions, cert_min_days=args.cert_min_days,
            data_plane=data_plane, http=HttpSettings(resolve=_pairs(args.resolve, "--resolve"), ca_file=args.ca_file))
        api = api_client(target.kubeconfig, target.context)
        if not reachable(api, timeout=5):
            raise HarnessError(f"{args.env}: API server not reachable (kubeconfig {target.kubeconfig or '$KUBECONFIG'})")
        outcomes = runner.run_until_settled(lambda: snapshot.load(api, args.namespace), settings, args.wait, args.only)
        _write(args, outcomes)
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2  # bad input or environment; 1 means a smoke check failed
    except OSError as err:  # an unwritable --output/--junit/--json path
        print(f"error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    return 1 if runner.failed(outcomes) else 0


def _write(args: argparse.Namespace, outcomes: list[Outcome]) -> None:
    report = FORMATS[args.format](outcomes)
    if args.output:
        _save(args.output, report)
        print(summary(outcomes))
    else:
        sys.stdout.write(report)
    for path, fmt in ((args.junit, "junit"), (args.json, "json")):
        if path:
            _save(path, FORMATS[fmt](outcomes))


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
