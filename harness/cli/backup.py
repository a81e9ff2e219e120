"""Backups in a cluster: `harness backup run` dumps the database now and checks what it wrote,
`harness backup verify` runs the restore drill now."""

from __future__ import annotations

import argparse

from ..core.errors import HarnessError
from ..core.project import LOCAL_ENV
from .base import FAILED, OK, command, existing_file, group, seconds


def add_commands(sub: argparse._SubParsersAction) -> None:
    backup = group(sub, "backup", "run, verify: the backups of a deployed environment")
    run = command(backup, "run", _run, "dump the database now (a Job from CronJob acme-db-backup), then download "
                                       "the backup from the local object store and check it; exit 1 unless both passed")
    _target_arguments(run, "the dump Job")
    verify = command(backup, "verify", _verify, "run the restore drill now (a Job from CronJob acme-restore-drill) "
                                                "and report its comparison; exit 1 unless it passed")
    _target_arguments(verify, "the drill Job")


def _target_arguments(parser: argparse.ArgumentParser, job: str) -> None:
    parser.add_argument("--env", default=LOCAL_ENV, help="local (the kwok cluster) or another helmfile environment")
    parser.add_argument("--kubeconfig", type=existing_file,
                        help="kubeconfig of a non-local environment (default: $KUBECONFIG)")
    parser.add_argument("--context", help="kube context (default: the kubeconfig's current one)")
    parser.add_argument("--namespace", default="acme")
    parser.add_argument("--timeout", type=seconds, default=3600, metavar="SECONDS",
                        help=f"longest wait for {job} (default: the chart's activeDeadlineSeconds, 3600)")


def _api(args: argparse.Namespace):
    from ..deploy.cluster.client import api_client, reachable
    from ..deploy.target import target_for

    target = target_for(args.env, args.kubeconfig, args.context)
    api = api_client(target.kubeconfig, target.context)
    if not reachable(api, timeout=5):
        raise HarnessError(f"{args.env}: API server not reachable (kubeconfig {target.kubeconfig or '$KUBECONFIG'})")
    return target, api


def _run(args: argparse.Namespace) -> int:
    from ..core.project import Project
    from ..deploy.backup.run import backup_run
    from ..deploy.backup.store import local_url

    target, api = _api(args)
    store = local_url(Project.discover()) if target.local else None
    outcome = backup_run(api, args.namespace, store, timeout=args.timeout, log=lambda line: print(line, flush=True))
    print("\n".join(outcome.report()))
    return OK if outcome.passed else FAILED


def _verify(args: argparse.Namespace) -> int:
    from ..deploy.backup.verify import verify

    _, api = _api(args)
    verdict = verify(api, args.namespace, timeout=args.timeout, log=lambda line: print(line, flush=True))
    print("\n".join(verdict.report()))
    return OK if verdict.passed else FAILED
