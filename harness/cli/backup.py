"""Backups in a cluster: `harness backup verify` runs the restore drill now."""

from __future__ import annotations

import argparse

from ..core.errors import HarnessError
from ..core.project import LOCAL_ENV
from .base import FAILED, OK, command, existing_file, group, seconds


def add_commands(sub: argparse._SubParsersAction) -> None:
    backup = group(sub, "backup", "verify: the backups of a deployed environment")
    verify = command(backup, "verify", _verify, "run the restore drill now (a Job from CronJob acme-restore-drill) "
                                                "and report its comparison; exit 1 unless it passed")
    verify.add_argument("--env", default=LOCAL_ENV, help="local (the kwok cluster) or another helmfile environment")
    verify.add_argument("--kubeconfig", type=existing_file,
                        help="kubeconfig of a non-local environment (default: $KUBECONFIG)")
    verify.add_argument("--context", help="kube context (default: the kubeconfig's current one)")
    verify.add_argument("--namespace", default="acme")
    verify.add_argument("--timeout", type=seconds, default=3600, metavar="SECONDS",
                        help="longest wait for the drill Job (default: the chart's activeDeadlineSeconds, 3600)")


def _verify(args: argparse.Namespace) -> int:
    from ..deploy.backup.verify import verify
    from ..deploy.cluster.client import api_client, reachable
    from ..deploy.target import target_for

    target = target_for(args.env, args.kubeconfig, args.context)
    api = api_client(target.kubeconfig, target.context)
    if not reachable(api, timeout=5):
        raise HarnessError(f"{args.env}: API server not reachable (kubeconfig {target.kubeconfig or '$KUBECONFIG'})")
    verdict = verify(api, args.namespace, timeout=args.timeout, log=lambda line: print(line, flush=True))
    print("\n".join(verdict.report()))
    return OK if verdict.passed else FAILED
