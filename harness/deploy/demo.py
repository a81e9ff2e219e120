"""`python -m harness.deploy.demo --env ENV`: cluster -> CRDs -> the release flow without its
preflight (helmfile diff -> apply -> smoke -> rollback of what it changed) -> a summary.

The demo is `harness release` minus the preflight gates, which are `make test`'s job: one flow
deploys and verifies, so the demo and a release cannot drift apart. When the smoke checks fail
after the apply, every release the apply changed is rolled back (`helm rollback` to its previous
revision) unless --no-rollback; the demo still exits non-zero.

`make demo` runs this after `make tools`. For staging/production it deploys to the user's
current kube context, which must be named with --confirm-context.
"""

from __future__ import annotations

import argparse
import sys
import time

from .cluster import lifecycle
from .cluster.settings import ClusterSettings
from ..core.errors import HarnessError
from ..core.project import Project
from .release.flow import ReleaseOptions, release
from .release.outcome import Exit, Step
from ..checks import report
from ..checks.run import Status


def _cluster_up(project: Project) -> Step:
    print("demo: cluster up + CRDs ...", flush=True)  # tens of seconds when cold
    started = time.monotonic()
    running = lifecycle.up(ClusterSettings.from_env(project)).running
    return Step("cluster up + CRDs", Status.PASS if running else Status.FAIL, time.monotonic() - started,
                "running" if running else "not running")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.deploy.demo", description=__doc__)
    parser.add_argument("--env", default="local")
    parser.add_argument("--kubeconfig", help="staging/production kubeconfig (default: $KUBECONFIG)")
    parser.add_argument("--confirm-context", help="the kube context name, required for staging/production")
    parser.add_argument("--namespace", default="acme")
    parser.add_argument("--no-rollback", action="store_true",
                        help="leave a deploy whose smoke checks fail in place (default: helm rollback what it changed)")
    args = parser.parse_args(argv)

    steps: list[Step] = []
    try:
        project = Project.discover()
        if args.env == "local":
            steps.append(_cluster_up(project))
        record = release(project, ReleaseOptions(env=args.env, kubeconfig=args.kubeconfig,
                                                 confirm_context=args.confirm_context, namespace=args.namespace,
                                                 preflight=False, rollback=not args.no_rollback),
                         log=lambda line: print(line.replace("release: ", "demo: ", 1), flush=True))
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"\ndemo: FAILED ({args.env})")
        return int(Exit.BAD_INPUT)
    steps += record.steps
    print("\nSTEP                    RESULT                    SECONDS")
    for step in steps:
        detail = step.detail if step.status == Status.PASS else f"{step.status} {step.detail}"
        print(f"{step.name:<22}  {detail[:24]:<24}  {step.seconds:7.1f}")
    for title, outcomes in (("", record.smoke), ("after rollback:\n", record.smoke_after_rollback)):
        if outcomes:
            print(f"\n{title}{report.to_table(outcomes)}", end="")
    ok = record.exit == Exit.RELEASED
    print(f"\ndemo: {'OK' if ok else 'FAILED'} ({args.env}, exit code of the release flow: {int(record.exit)})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
