"""The release flow: preflight -> diff -> apply -> smoke -> (on failure) rollback -> smoke again.

Each step is recorded whether it passes or not; the record decides the exit code (outcome.Exit).
Rollback is `helm rollback` of exactly the releases whose revision this run moved, to the
revision they had before it (harness.deploy.rollback), so an unrelated release is never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ..backup import store as backup_store
from ..cluster import certs
from ..cluster.client import api_client, reachable
from ..cluster.settings import ClusterSettings
from ...core.errors import HarnessError
from ...core.project import Project
from ...checks import report as smoke_report
from ...checks.run import Status
from ..smoke import runner
from ...live import snapshot
from ...live.releases import revisions
from ..rollback import deployed_revisions, plan, roll_back
from ...live.settings import SETTLE_SECONDS, SmokeSettings
from ..target import Target, data_plane, observability, require_confirmation, target_for, wire_measurer
from . import blue_green, canary, preflight
from .blue_green import BlueGreenPlan
from .canary import CanaryPlan
from .deploy import helmfile_apply, helmfile_diff, tool_env
from .outcome import Exit, ReleaseRecord, Step


@dataclass(frozen=True)
class ReleaseOptions:
    env: str
    kubeconfig: str | None = None
    confirm_context: str | None = None
    namespace: str = "acme"
    base_ref: str | None = None  # for the render checks' git upgrade baseline
    preflight: bool = True
    rollback: bool = True
    settle_seconds: float = SETTLE_SECONDS
    cert_min_days: int = SmokeSettings.cert_min_days
    canary: CanaryPlan | None = None  # a canary release of one chart release instead of helmfile apply of all
    blue_green: BlueGreenPlan | None = None  # a blue-green switch of one chart release, likewise


class _Run:
    """Carries the record and the cluster handles through the steps."""

    def __init__(self, project: Project, options: ReleaseOptions, log: Callable[[str], None]) -> None:
        self.project, self.options, self.log = project, options, log
        self.record = ReleaseRecord(options.env)
        self.after_rollback = False  # smoke from now on proves what a rollback or an abort left
        self.target: Target = target_for(options.env, options.kubeconfig, project=project)
        self.record.context = require_confirmation(self.target, options.confirm_context)
        self.api = api_client(self.target.kubeconfig, self.record.context)
        if not reachable(self.api, timeout=5):
            raise HarnessError(f"{options.env}: API server of context {self.record.context!r} not reachable")
        self.settings = SmokeSettings(env=options.env, namespace=options.namespace,
                                      cert_min_days=options.cert_min_days, **data_plane(project, self.target, self.api),
                                      observability=observability(project, self.target, self.api))
        self.wire = wire_measurer(project, self.target, self.api)

    def step(self, name: str, action: Callable[[], tuple[bool, str, str]]) -> Step:
        self.log(f"release: {name} ...")
        started = time.monotonic()
        try:
            result = preflight.timed(name, action)
        except HarnessError as err:
            # The detail is one line for the summary table; the report keeps the whole error.
            result = Step(name, Status.FAIL, time.monotonic() - started, _last_error_line(str(err)), str(err))
        self.record.steps.append(result)
        self.log(f"release: {name}: {result.status} {result.detail}")
        return result

    def skip(self, name: str, why: str) -> None:
        self.record.steps.append(Step(name, Status.SKIP, 0.0, why))

    def releases(self) -> list:
        return snapshot.load(self.api, self.options.namespace).release_secrets

    def newest_revisions(self) -> dict[str, int]:
        return {name: revs[0].version for name, revs in revisions(self.releases()).items()}

    def smoke(self) -> tuple[bool, str, str]:
        outcomes = runner.run_until_settled(lambda: snapshot.load(self.api, self.options.namespace), self.settings,
                                            self.options.settle_seconds, wire=self.wire)
        if self.after_rollback:
            self.record.smoke_after_rollback = outcomes
        else:
            self.record.smoke = outcomes
        return not runner.failed(outcomes), smoke_report.summary(outcomes), smoke_report.to_table(outcomes)


def release(project: Project, options: ReleaseOptions, log: Callable[[str], None] = print) -> ReleaseRecord:
    """Run the flow; HarnessError only for bad input before anything was touched."""
    run = _Run(project, options, log)
    record = run.record
    before_secrets = run.releases()
    record.before = deployed_revisions(before_secrets)

    if not options.preflight:
        run.skip("preflight", "skipped on request (--skip-preflight)")
    elif not _preflight(run, before_secrets):
        record.exit = Exit.PREFLIGHT_FAILED
        return record

    if options.canary is not None:
        record.exit = _progressive(run, options.canary.release, "its canary", lambda: canary.release(run, options.canary))
        return record
    if options.blue_green is not None:
        record.exit = _progressive(run, options.blue_green.release, "its blue-green switch",
                                   lambda: blue_green.release(run, options.blue_green))
        return record

    changes: list[bool] = []

    def diff() -> tuple[bool, str, str]:
        changed, text = helmfile_diff(project, run.target, record.context)
        changes.append(changed)
        if text:
            log(text)
        return True, "changes to apply" if changed else "no changes", text

    if run.step("helmfile diff", diff).status == Status.FAIL:
        record.exit = Exit.PREFLIGHT_FAILED
        return record

    if changes[0]:
        applied = run.step("helmfile apply", lambda: (True, helmfile_apply(project, run.target, record.context), ""))
        record.after = run.newest_revisions()
        if applied.status == Status.FAIL:
            record.exit = Exit.APPLY_FAILED
            return record
    else:
        run.skip("helmfile apply", "helmfile diff found nothing to change")
        record.after = dict(record.before)

    if run.target.local:  # the cert-manager stand-in: issue TLS Secrets for new Ingresses
        ca_dir = ClusterSettings.from_env(project).tls_ca_dir
        run.step("local TLS secrets", lambda: (True, "issued: " + (", ".join(certs.ensure_tls_secrets(
            run.api, options.namespace, certs.load_or_create_ca(ca_dir))) or "none needed"), ""))
        # the backup Jobs' bucket and key pair in the real node's object store
        run.step("local backup store", lambda: (True, backup_store.prepare_local(run.api, options.namespace, project), ""))

    if run.step("smoke", run.smoke).status == Status.PASS:
        record.exit = Exit.RELEASED
        return record
    if not options.rollback:
        run.skip("rollback", "disabled (--no-rollback)")
        record.exit = Exit.NEEDS_HUMAN
        return record

    run.after_rollback = True
    record.exit = _roll_back(run)
    return record


def _progressive(run: _Run, release_name: str, what: str, flow: Callable[[], Exit]) -> Exit:
    """A canary or blue-green release of one deployed chart release; a release not deployed is refused."""
    if release_name not in run.record.before:
        run.step(what.removeprefix("its "), lambda: (
            False, f"release {release_name} is not deployed in namespace {run.options.namespace}: release it "
                   f"first, then {what}", ""))
        return Exit.PREFLIGHT_FAILED
    try:
        return flow()
    finally:
        run.record.after = run.newest_revisions()


def _preflight(run: _Run, before_secrets: list) -> bool:
    """Every gate runs even after one fails, so one report lists everything to fix."""
    project, options = run.project, run.options
    kubeconfig = str(run.target.kubeconfig) if run.target.kubeconfig else None
    gates = [run.step("preflight: lint", lambda: preflight.run_lint(project)),
             run.step("preflight: unittest", lambda: preflight.run_unittest(project)),
             run.step("preflight: render checks",
                      lambda: preflight.run_render_checks(project, options.base_ref, kubeconfig)),
             run.step("preflight: upgrade safety vs deployed", lambda: preflight.run_upgrade_safety(
                 project, options.env, preflight.deployed_baseline(before_secrets, options.namespace)))]
    return all(g.status != Status.FAIL for g in gates)


def _roll_back(run: _Run) -> Exit:
    """Roll back what this run moved, then prove the restored revisions pass smoke."""
    targets = plan(run.record.before, run.releases())

    def rollback() -> tuple[bool, str, str]:
        if not targets:
            return False, "this run changed no release: nothing to roll back to", ""
        done = roll_back(run.project.tool("helm"), targets, run.options.namespace, run.record.context,
                         tool_env(run.project, run.target))
        run.record.rolled_back = dict(targets)
        return True, ", ".join(done), ""

    if run.step("rollback", rollback).status == Status.FAIL:
        return Exit.NEEDS_HUMAN
    verified = run.step("smoke after rollback", run.smoke)
    return Exit.ROLLED_BACK if verified.status == Status.PASS else Exit.NEEDS_HUMAN


def _last_error_line(error: str) -> str:
    """helm/helmfile put the cause on the last `Error:` line; fall back to the first line."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("Error:")]
    return (causes or lines or ["failed"])[-1 if causes else 0][:300]


def elapsed(record: ReleaseRecord) -> float:
    return sum(step.seconds for step in record.steps)

