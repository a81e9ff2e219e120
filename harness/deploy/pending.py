"""Releases an interrupted deploy left pending, recovered before the next deploy.

A `helmfile apply` killed mid-upgrade leaves the release's newest revision `pending-upgrade`;
every later `helm upgrade` (and helm-diff's dry run) then refuses with "another operation
(install/upgrade/rollback) is in progress", so a plain rerun never converges. On the local
cluster only the harness deploys, so a pending revision is always a dead run's: it is rolled
back to the last deployed revision (a first install that never completed is uninstalled; the
database volume and Secret are kept by their resource policy). Elsewhere another deploy may
really be running, so nothing is touched: the error names the release and the command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ..core.errors import HarnessError
from ..live.releases import revisions
from ..tools import helm as helm_tool

PENDING = ("pending-install", "pending-upgrade", "pending-rollback")


@dataclass(frozen=True)
class Stuck:
    release: str
    namespace: str
    status: str
    last_deployed: int | None  # None: never deployed


def find_stuck(api: client.ApiClient) -> list[Stuck]:
    """Releases (any namespace) whose newest revision is pending: one list call."""
    try:
        listed = client.CoreV1Api(api).list_secret_for_all_namespaces(label_selector="owner=helm",
                                                                       _preload_content=False, _request_timeout=30)
    except (ApiException, HTTPError, OSError) as err:
        raise HarnessError(f"listing helm releases before the deploy failed: {' '.join(str(err).split())[:200]}") from None
    by_namespace: dict[str, list[dict]] = {}
    for item in json.loads(listed.data)["items"]:
        by_namespace.setdefault(item["metadata"]["namespace"], []).append(item)
    stuck = []
    for namespace, secrets in sorted(by_namespace.items()):
        for name, revs in sorted(revisions(secrets).items()):
            if revs[0].status in PENDING:
                deployed = next((r.version for r in revs if r.status in ("deployed", "superseded")), None)
                stuck.append(Stuck(name, namespace, revs[0].status, deployed))
    return stuck


def recover(helm: Path, stuck: list[Stuck], context: str, env: dict[str, str], local: bool) -> list[str]:
    if stuck and not local:
        first = stuck[0]
        fix = (f"helm rollback {first.release} {first.last_deployed}" if first.last_deployed
               else f"helm uninstall {first.release}")
        raise HarnessError(f"release {first.release} is {first.status}: an earlier deploy was interrupted, or one is "
                           f"running now; when none is, run `{fix} --namespace {first.namespace}` and deploy again")
    done = []
    for item in stuck:
        if item.last_deployed:
            result = helm_tool.rollback(helm, item.release, item.last_deployed, item.namespace, context, env)
        else:
            result = helm_tool.uninstall(helm, item.release, item.namespace, context, env)
        if not result.ok:
            raise HarnessError(f"recovering {item.status} release {item.release} failed: {result.stderr.strip()}")
        action = f"rollback {item.last_deployed}" if item.last_deployed else "uninstall"
        done.append(f"{item.release} ({item.status}) -> {action}")
    return done
