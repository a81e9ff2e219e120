"""The demo: cluster -> CRDs -> the release flow without its preflight (helmfile diff -> apply
-> smoke -> rollback of what it changed).

The demo is `harness release` minus the preflight gates, which are `make test`'s job: one flow
deploys and verifies, so the demo and a release cannot drift apart. When the smoke checks fail
after the apply, every release the apply changed is rolled back (`helm rollback` to its previous
revision) unless the options say otherwise; the release flow's exit code says which ending it was.

`make demo` runs it (`harness demo`) after `make tools`. For staging/production it deploys to
the user's current kube context, which must be named with --confirm-context.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from .cluster import lifecycle
from .cluster.settings import ClusterSettings
from ..core.project import LOCAL_ENV, Project
from .release.flow import ReleaseOptions, release
from .release.outcome import ReleaseRecord, Step
from ..checks.run import Status


def _cluster_up(project: Project, log: Callable[[str], None]) -> Step:
    log("demo: cluster up + CRDs ...")  # tens of seconds when cold
    started = time.monotonic()
    running = lifecycle.up(ClusterSettings.from_env(project)).running
    return Step("cluster up + CRDs", Status.PASS if running else Status.FAIL, time.monotonic() - started,
                "running" if running else "not running")


def demo(project: Project, options: ReleaseOptions, log: Callable[[str], None]) -> tuple[list[Step], ReleaseRecord]:
    """Every step (the cluster's, then the release flow's) and the flow's record."""
    steps = [_cluster_up(project, log)] if options.env == LOCAL_ENV else []
    record = release(project, replace(options, preflight=False),
                     log=lambda line: log(line.replace("release: ", "demo: ", 1)))
    return steps + record.steps, record
