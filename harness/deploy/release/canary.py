"""`harness release --strategy canary`: the canary track of one chart release taken through its
weights step by step, each step judged (analysis.decide) on the tracks' exact counts over the
step's interval (counters) and the smoke suite, then promoted or aborted.

Every step is a `helmfile apply` of that release alone with the rollout values written out in
full: helmfile passes the release's values files again each time, and a file merged last carries
the step, so nothing depends on what the previous revision happened to hold.

Promotion: the stable track takes the canary's image while the canary holds all traffic, then
the weight goes to 0 and the canary is removed. Abort: the weight goes to 0 at once, then the
canary is removed, and the smoke suite must pass on the stable track alone. In both directions
the weight moves before a track goes away, so the edge never routes to pods being deleted.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...checks.run import Status
from ...core import yamlio
from ..node import monitoring
from ..node.settings import NodeSettings
from ..cluster.settings import ClusterSettings
from . import counters
from .analysis import Decision, Thresholds, TrackMetrics, Verdict, decide
from .steps import apply_values
from .outcome import Exit

if TYPE_CHECKING:
    from .flow import _Run

# A reading waits for every target's next scrape; three of the local environment's intervals.
SCRAPE_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class CanaryPlan:
    steps: list[int]
    interval_seconds: float
    release: str = "acme-api"
    image_tag: str = ""      # empty: the stable's image, e.g. to try a configuration change alone
    image_digest: str = ""
    track_values: dict[str, Any] = field(default_factory=dict)  # merged into rollout.canary (e.g. faults)
    thresholds: Thresholds = Thresholds()
    prometheus_url: str | None = None  # default: the local real node's

    @property
    def canary(self) -> str:
        return f"{self.release}-canary"


def values(plan: CanaryPlan, weight: int, strategy: str = "canary", promoted: bool = False) -> dict[str, Any]:
    """The rollout values of one step, complete. `promoted`: the stable track runs the canary's image."""
    track = {"weight": weight, "image": {"tag": plan.image_tag, "digest": plan.image_digest}, **plan.track_values}
    out: dict[str, Any] = {"rollout": {"strategy": strategy, "canary": track}}
    if promoted and plan.image_tag:
        out["image"] = {"tag": plan.image_tag, "digest": plan.image_digest}
    return out


class _Steps:
    def __init__(self, run: "_Run", plan: CanaryPlan) -> None:
        self.run, self.plan = run, plan
        self.workdir = Path(tempfile.mkdtemp(prefix="acme-canary-"))
        self.prometheus = plan.prometheus_url or monitoring.base_url(NodeSettings(ClusterSettings.from_env(run.project)))

    def apply(self, name: str, step_values: dict[str, Any], settle: str | None = None) -> bool:
        def action() -> tuple[bool, str, str]:
            # the stable keeping its image after a promotion has nothing to roll out
            kept = step_values.get("image") is None and settle == self.plan.release
            detail = apply_values(self.run, self.workdir, self.plan.release, step_values, None if kept else settle)
            if kept:
                detail += ", the stable's image kept (the canary ran it too)"
            return True, detail, yamlio.dump_yaml(step_values)
        return self.run.step(name, action).status == Status.PASS

    def targets(self, deployment: str) -> int:
        from kubernetes import client
        d = client.AppsV1Api(self.run.api).read_namespaced_deployment(deployment, self.run.options.namespace)
        return d.status.available_replicas or 0

    def reading(self, service: str, since: float, start: counters.Reading | None = None) -> counters.Reading:
        return counters.read(self.prometheus, service, self.targets(service), since, SCRAPE_WAIT_SECONDS, start,
                             self.plan.interval_seconds)

    def analyse(self, weight: int) -> Decision:
        smoke_failures: list[int] = []
        decisions: list[Decision] = []

        def action() -> tuple[bool, str, str]:
            ok, summary, table = self.run.smoke()
            smoke_failures.append(sum(o.status is Status.FAIL for o in self.run.record.smoke))
            started = time.time()
            tracks = (self.plan.canary, self.plan.release)
            begin = {track: self.reading(track, started) for track in tracks}
            time.sleep(self.plan.interval_seconds)
            metrics = [counters.between(begin[track], self.reading(track, started, begin[track])) for track in tracks]
            decision = decide(weight, *metrics, self.plan.thresholds, smoke_failures[0])
            decisions.append(decision)
            return decision.verdict is Verdict.PROCEED, decision.line(), f"smoke: {summary}\n{table}"

        step = self.run.step(f"canary {weight}%: analysis", action)
        if decisions:
            decision = decisions[0]
        else:  # the analysis itself could not run (Prometheus, the cluster): that is no reason to go on
            nothing = TrackMetrics(0, 0, float("nan"))
            decision = Decision(weight, Verdict.ABORT, [f"analysis failed: {step.detail}"], nothing, nothing,
                                smoke_failures[0] if smoke_failures else 0)
        self.run.record.decisions.append(decision)
        return decision


def release(run: "_Run", plan: CanaryPlan) -> Exit:
    """The steps, then promotion or abort; the exit code of the whole run."""
    run.record.strategy = "canary"
    steps = _Steps(run, plan)
    # Ready before it gets a request: a weighted route to a Service without endpoints would fail them.
    if not steps.apply("canary: started at weight 0", values(plan, 0), settle=plan.canary):
        return _abort(run, steps)
    for weight in plan.steps:
        applied = steps.apply(f"canary {weight}%: apply", values(plan, weight), settle=plan.canary)
        if not applied or steps.analyse(weight).verdict is Verdict.ABORT:
            return _abort(run, steps)
    promoted = (steps.apply("promote: the stable track takes the canary's version", values(plan, 100, promoted=True),
                            settle=plan.release)
                and steps.apply("promote: weight 0", values(plan, 0, promoted=True))
                and steps.apply("promote: canary removed", values(plan, 0, "rolling", promoted=True)))
    if not promoted:
        return _abort(run, steps)
    return Exit.RELEASED if run.step("smoke", run.smoke).status is Status.PASS else Exit.NEEDS_HUMAN


def _abort(run: "_Run", steps: _Steps) -> Exit:
    """Weight 0 first (the stable track takes every request at once), then the canary removed;
    the stable track alone must then pass the smoke suite."""
    run.after_rollback = True
    removed = (steps.apply("abort: weight 0", values(steps.plan, 0))
               and steps.apply("abort: canary removed", values(steps.plan, 0, "rolling")))
    if not removed:
        return Exit.NEEDS_HUMAN
    return Exit.CANARY_ABORTED if run.step("smoke after abort", run.smoke).status is Status.PASS else Exit.NEEDS_HUMAN
