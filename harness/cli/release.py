"""The deploy path's commands: `harness release` and `harness demo` (the release flow without its preflight)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..core.project import LOCAL_ENV, Project
from ..live.settings import SETTLE_SECONDS
from .base import command, existing_file, refuse, seconds

DEFAULT_STEPS = "10,50,100"
DEFAULT_INTERVAL = 60.0  # Flagger's default analysis interval
DEFAULT_WATCH = 60.0  # one analysis interval of Flagger's, the same watch as a canary step
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def add_commands(sub: argparse._SubParsersAction) -> None:
    release = command(sub, "release", _release, "preflight, helmfile diff + apply, smoke, rollback on failure")
    release.add_argument("--env", required=True, help="local or another helmfile environment")
    _target(release)
    release.add_argument("--base-ref", help="git ref for the render checks' upgrade baseline")
    release.add_argument("--report-dir", type=Path, default=Path("build/reports"),
                         help="writes release-ENV.md and release-ENV.xml (JUnit) here")
    release.add_argument("--settle", type=seconds, default=SETTLE_SECONDS, metavar="SECONDS",
                         help=f"retry failing smoke checks this long after the apply (default {SETTLE_SECONDS:.0f})")
    release.add_argument("--skip-preflight", action="store_true", help="emergency only: deploy without the gates")
    release.add_argument("--no-rollback", action="store_true", help="leave a deploy whose smoke fails in place")
    canary = release.add_argument_group("canary and blue-green (docs/progressive-delivery.md)")
    canary.add_argument("--strategy", choices=("rolling", "canary", "blue-green"), default="rolling",
                        help="rolling (default): helmfile apply of every release; canary: the acme-api release's "
                             "canary track through --steps, each judged over --interval, then promoted or aborted; "
                             "blue-green: the candidate on acme-api's idle colour, tested through its preview host, "
                             "then the public hosts switched to it and watched for --watch seconds")
    canary.add_argument("--steps", help=f"canary weights in percent, rising, ending at 100 (default {DEFAULT_STEPS})")
    canary.add_argument("--interval", type=seconds, metavar="SECONDS",
                        help=f"analysis interval of each step (default {DEFAULT_INTERVAL:.0f})")
    canary.add_argument("--canary-tag", help="the canary's image tag (default: the stable's image)")
    canary.add_argument("--canary-digest", help="the canary's image digest, sha256:<64 hex digits>")
    canary.add_argument("--candidate-tag", help="blue-green: the idle colour's new image tag (default: the active "
                                                "colour's image)")
    canary.add_argument("--candidate-digest", help="blue-green: the candidate's image digest, sha256:<64 hex digits>")
    canary.add_argument("--watch", type=seconds, metavar="SECONDS",
                        help=f"blue-green: how long the public hosts are watched after the switch "
                             f"(default {DEFAULT_WATCH:.0f})")

    demo = command(sub, "demo", _demo, "cluster up (local), then the release flow without its preflight; "
                                       "a summary table")
    demo.add_argument("--env", default=LOCAL_ENV, help="local (default) or another helmfile environment")
    _target(demo)
    demo.add_argument("--no-rollback", action="store_true",
                      help="leave a deploy whose smoke checks fail in place (default: helm rollback what it changed)")


def _target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", type=existing_file,
                        help="kubeconfig of a non-local environment (default $KUBECONFIG)")
    parser.add_argument("--confirm-context", help="the kube context name; required off the local cluster")
    parser.add_argument("--namespace", default="acme")


def _options(args: argparse.Namespace, **extra):
    from ..deploy.release.flow import ReleaseOptions

    refuse(args.env == LOCAL_ENV and args.confirm_context is not None,
           "--confirm-context: the local cluster needs no confirmation; it applies to other environments only")
    return ReleaseOptions(env=args.env, kubeconfig=str(args.kubeconfig) if args.kubeconfig else None,
                          confirm_context=args.confirm_context, namespace=args.namespace,
                          rollback=not args.no_rollback, **extra)


def _release(args: argparse.Namespace) -> int:
    from ..deploy.release import report
    from ..deploy.release.flow import release

    refuse(args.skip_preflight and args.base_ref is not None,
           "--base-ref: only the preflight reads a baseline, and --skip-preflight skips it")
    options = _options(args, base_ref=args.base_ref, preflight=not args.skip_preflight, settle_seconds=args.settle,
                       canary=_canary_plan(args), blue_green=_blue_green_plan(args))
    record = release(Project.discover(), options, log=lambda line: print(line, flush=True))
    written = report.write(record, args.report_dir)
    print(f"release: exit {int(record.exit)} ({report.ending(record)}); reports {', '.join(str(p) for p in written)}")
    return int(record.exit)


def _canary_plan(args: argparse.Namespace):
    """The canary's plan from its flags; a canary flag without --strategy canary is refused."""
    if not _chosen(args, "canary", steps="--steps", interval="--interval", canary_tag="--canary-tag",
                   canary_digest="--canary-digest"):
        return None
    from ..deploy.release.analysis import parse_steps
    from ..deploy.release.canary import CanaryPlan

    interval = DEFAULT_INTERVAL if args.interval is None else args.interval
    refuse(interval <= 0, "--interval: a step needs an analysis interval above 0 seconds")
    _digest("--canary-digest", args.canary_digest, args.canary_tag, "--canary-tag")
    return CanaryPlan(parse_steps(args.steps or DEFAULT_STEPS), interval, image_tag=args.canary_tag or "",
                      image_digest=args.canary_digest or "")


def _blue_green_plan(args: argparse.Namespace):
    """The blue-green plan from its flags; a blue-green flag without --strategy blue-green is refused."""
    if not _chosen(args, "blue-green", candidate_tag="--candidate-tag", candidate_digest="--candidate-digest",
                   watch="--watch"):
        return None
    from ..deploy.release.blue_green import BlueGreenPlan

    watch = DEFAULT_WATCH if args.watch is None else args.watch
    refuse(watch <= 0, "--watch: the public hosts need a watch above 0 seconds after the switch")
    _digest("--candidate-digest", args.candidate_digest, args.candidate_tag, "--candidate-tag")
    return BlueGreenPlan(image_tag=args.candidate_tag or "", image_digest=args.candidate_digest or "",
                         watch_seconds=watch)


def _chosen(args: argparse.Namespace, strategy: str, **flags: str) -> bool:
    """Whether --strategy is `strategy`; if not, the first of its flags (attribute -> flag) given is refused."""
    if args.strategy == strategy:
        return True
    given = [flag for attribute, flag in flags.items() if getattr(args, attribute) is not None]
    refuse(bool(given), f"{given[0] if given else ''}: applies to --strategy {strategy} only")
    return False


def _digest(flag: str, digest: str | None, tag: str | None, tag_flag: str) -> None:
    refuse(digest is not None and not DIGEST.fullmatch(digest),
           f"{flag}: expected sha256:<64 lowercase hex digits>, got {digest!r}")
    refuse(digest is not None and not tag, f"{flag}: pins a {tag_flag}, which is missing")


def _demo(args: argparse.Namespace) -> int:
    from ..checks import report
    from ..checks.run import Status
    from ..deploy.demo import demo
    from ..deploy.release.outcome import Exit

    steps, record = demo(Project.discover(), _options(args), log=lambda line: print(line, flush=True))
    print("\nSTEP                    RESULT                    SECONDS")
    for step in steps:
        detail = step.detail if step.status == Status.PASS else f"{step.status} {step.detail}"
        print(f"{step.name:<22}  {detail[:24]:<24}  {step.seconds:7.1f}")
    for title, outcomes in (("", record.smoke), ("after rollback:\n", record.smoke_after_rollback)):
        if outcomes:
            print(f"\n{title}{report.to_table(outcomes)}", end="")
    ok = record.exit == Exit.RELEASED
    print(f"\ndemo: {'OK' if ok else 'FAILED'} ({args.env}, exit {int(record.exit)}: "
          f"{record.exit.name.lower().replace('_', ' ')})")
    return int(record.exit)
