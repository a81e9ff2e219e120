"""`harness release --strategy blue-green`: the candidate on the idle colour of one chart release,
tested through its preview host at the edge, then the public hosts switched to it and watched.

1. candidate: a `helmfile apply` of that release alone, the active colour and the public route
   unchanged, the idle colour given the candidate's image (or the active colour's, to try a
   configuration such as faults alone).
2. preview: requests to the preview host through the edge (the same TLS client as the HTTP smoke
   checks), the smoke suite, and, with Prometheus, the idle colour's exact request count over the
   same window, which must equal the preview's: nothing else reaches it.
3. switch: `rollout.blueGreen.active` moves to the candidate while a request stream watches the
   public host, then for the watch time; the smoke suite again.
4. the old colour keeps running: `helm rollback` to the candidate's revision switches back at once.

Every apply writes the rollout values in full and both colours' images and faults as deployed
(read from the release's newest deployed revision), so nothing depends on what the files or the
previous revision happened to hold. A failure before the switch rolls the release back to the
revision it had (the public route never moved); a failed watch switches back.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ...checks.run import Status
from ...core import yamlio
from ...core.errors import HarnessError
from ...live.releases import Revision, revisions
from ..cluster import certs
from ..cluster.settings import ClusterSettings
from ..rollback import roll_back
from . import counters, probe
from .analysis import Thresholds, ms, over_limits
from .canary import SCRAPE_WAIT_SECONDS
from .deploy import tool_env
from .steps import apply_values
from .outcome import Exit, Observation

if TYPE_CHECKING:
    from .flow import _Run

COLOURS = ("blue", "green")
# The chart's defaults: a colour without faults of its own gets these written out.
NO_FAULTS = {"errorRate": 0, "slowRate": 0, "slowDelay": "500ms"}
PREVIEW_LABEL = "acme.com/route"
# Traefik answers 404 for a host it has no router for yet; the preview waits this long for one.
ROUTE_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class BlueGreenPlan:
    release: str = "acme-api"
    image_tag: str = ""      # empty: the active colour's image, e.g. to try a configuration change alone
    image_digest: str = ""
    faults: dict[str, Any] = field(default_factory=dict)  # the candidate colour's rollout.blueGreen.faults
    watch_seconds: float = 60.0
    preview_requests: int = 20
    watch_rate: float = 10.0  # requests per second of the flow's own stream to the public host
    path: str = "/v1/items"   # a route the API answers from its database, not a probe route
    prometheus_url: str | None = None  # default: the smoke settings' (on local, the real node's)
    # the new colour's error rate and p99 over the watch, every client's requests counted
    thresholds: Thresholds = Thresholds()


@dataclass(frozen=True)
class Colour:
    tag: str
    digest: str
    faults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deployed:
    """A release's colours as its newest deployed revision runs them (a rolling release: blue only)."""

    revision: int
    active: str
    colours: dict[str, Colour]


def other(colour: str) -> str:
    return "green" if colour == "blue" else "blue"


def deployment(release: str, colour: str) -> str:
    """Blue keeps the release's own names (a rolling release's Deployment), green is <release>-green."""
    return release if colour == "blue" else f"{release}-green"


def parse_image(reference: str) -> tuple[str, str]:
    """repository:tag@digest -> (tag, digest); a registry's port is not a tag."""
    name, _, digest = reference.partition("@")
    last = name.rsplit("/", 1)[-1]
    return (last.rsplit(":", 1)[1] if ":" in last else ""), digest


def deployed(revision: Revision, release: str) -> Deployed:
    rollout = revision.config().get("rollout") or {}
    blue_green = rollout.get("strategy") == "blueGreen"
    settings = (rollout.get("blueGreen") or {}) if blue_green else {}
    faults = settings.get("faults") or {}
    colours = {}
    for doc in revision.manifest():
        for colour in COLOURS:
            if doc.get("kind") == "Deployment" and doc["metadata"]["name"] == deployment(release, colour):
                image = doc["spec"]["template"]["spec"]["containers"][0]["image"]
                colours[colour] = Colour(*parse_image(image), dict(faults.get(colour) or {}))
    active = settings.get("active", "blue")
    if active not in colours:
        raise HarnessError(f"release {release} revision {revision.version} runs no Deployment "
                           f"{deployment(release, active)} for its active colour {active}")
    return Deployed(revision.version, active, colours)


def values(plan: BlueGreenPlan, state: Deployed, active: str) -> dict[str, Any]:
    """The values of one apply, complete: the serving colour as deployed, the candidate on the other."""
    serving = state.colours[state.active]
    candidate = Colour(plan.image_tag, plan.image_digest, plan.faults) if plan.image_tag \
        else replace(serving, faults=plan.faults)
    colours = {state.active: serving, other(state.active): candidate}
    return {"image": {"tag": colours["blue"].tag, "digest": colours["blue"].digest},
            "rollout": {"strategy": "blueGreen", "blueGreen": {
                "active": active,
                "green": {"image": {"tag": colours["green"].tag, "digest": colours["green"].digest}},
                "faults": {c: {**NO_FAULTS, **colours[c].faults} for c in COLOURS}}}}


def routes(manifest: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(public hosts, preview hosts) of a release's Ingresses and HTTPRoutes."""
    public: list[str] = []
    preview: list[str] = []
    for doc in manifest:
        if doc.get("kind") == "Ingress":
            hosts = [rule["host"] for rule in doc.get("spec", {}).get("rules", []) if rule.get("host")]
        elif doc.get("kind") == "HTTPRoute":
            hosts = list(doc.get("spec", {}).get("hostnames", []))
        else:
            continue
        labels = doc.get("metadata", {}).get("labels") or {}
        found = preview if labels.get(PREVIEW_LABEL) == "preview" else public
        found += [h for h in hosts if h not in found]
    return public, preview


class _Steps:
    def __init__(self, run: "_Run", plan: BlueGreenPlan, state: Deployed) -> None:
        self.run, self.plan, self.state = run, plan, state
        self.old, self.new = state.active, other(state.active)
        self.workdir = Path(tempfile.mkdtemp(prefix="acme-blue-green-"))
        self.prometheus = plan.prometheus_url or run.settings.observability.prometheus_url
        self.last_reading: counters.Reading | None = None  # the new colour's, at the end of its preview

    @property
    def namespace(self) -> str:
        return self.run.options.namespace

    def newest(self) -> Revision:
        return revisions(self.run.releases())[self.plan.release][0]

    def apply(self, name: str, active: str, settle: str | None = None) -> bool:
        step_values = values(self.plan, self.state, active)

        def action() -> tuple[bool, str, str]:
            detail = apply_values(self.run, self.workdir, self.plan.release, step_values, settle)
            if self.run.target.local:  # the cert-manager stand-in issues the preview host's Secret
                issued = certs.ensure_tls_secrets(self.run.api, self.namespace, certs.load_or_create_ca(
                    ClusterSettings.from_env(self.run.project).tls_ca_dir))
                detail += f", TLS Secret issued: {', '.join(issued)}" if issued else ""
            return True, detail, yamlio.dump_yaml(step_values)
        return self.run.step(name, action).status == Status.PASS

    def available(self, name: str) -> int:
        from kubernetes import client
        return client.AppsV1Api(self.run.api).read_namespaced_deployment(name, self.namespace).status \
            .available_replicas or 0

    def reading(self, service: str) -> counters.Reading:
        """The colour's counters once each of its pods was scraped after now."""
        return counters.read(self.prometheus, service, self.available(service), time.time(), SCRAPE_WAIT_SECONDS)

    def _await_route(self, url: str) -> None:
        """Until the edge routes the host: an HTTP answer (TLS verified) other than the edge's 404.
        After ROUTE_WAIT_SECONDS the counted requests say what the edge answers."""
        deadline = time.monotonic() + ROUTE_WAIT_SECONDS
        while time.monotonic() < deadline:
            code = probe.answer(url, self.run.settings.http)["code"]
            if code and code != 404:
                return
            time.sleep(0.5)

    def preview(self, hosts: list[str]) -> bool:
        service = deployment(self.plan.release, self.new)

        def action() -> tuple[bool, str, str]:
            if not hosts:
                return False, f"preview of {self.new} failed: the release has no preview host", ""
            urls = [f"https://{host}{self.plan.path}" for host in hosts]
            for url in urls:
                self._await_route(url)
            begin = self.reading(service) if self.prometheus else None
            sent = [probe.send(url, self.run.settings.http, self.plan.preview_requests) for url in urls]
            answered = None
            if begin is not None:
                self.last_reading = self.reading(service)
                answered = counters.between(begin, self.last_reading).requests
            total = sum(s.requests for s in sent)
            self.run.record.observations += [Observation("preview", s, None) for s in sent[:-1]]
            self.run.record.observations.append(Observation("preview", sent[-1], answered))
            problems = [f"{s.failed} of {s.requests} requests to {s.url} failed ({_kinds(s)})" for s in sent if s.failed]
            if answered is not None and answered != total:
                problems.append(f"{service} answered {answered:.0f} requests while the preview sent {total}, so "
                                f"other requests reach it")
            table = ""
            if not problems:  # the smoke suite only judges a colour that answered its preview
                smoke_ok, smoke_summary, table = self.run.smoke()
                if not smoke_ok:
                    failing = sorted({o.check.id for o in self.run.record.smoke if o.status is Status.FAIL})
                    problems.append(f"smoke failed: {', '.join(failing)} ({smoke_summary})")
            if problems:
                return False, (f"preview of {self.new} failed: {'; '.join(problems)}; the public hosts stay on "
                               f"{self.old}"), table
            count = (f"; {service} answered {answered:.0f}, the preview's {total}" if answered is not None
                     else "; no Prometheus: the colour's own count not read")
            return True, "; ".join(s.line() for s in sent) + count + f"; smoke: {smoke_summary}", table

        return self.run.step(f"preview: {self.new} through {', '.join(hosts) or 'no host'}", action).status \
            == Status.PASS

    def switch(self, hosts: list[str]) -> bool:
        """The switch under a request stream to the first public host, then the watch."""
        url = f"https://{hosts[0]}{self.plan.path}" if hosts else ""
        service = deployment(self.plan.release, self.new)
        stream = probe.Stream(url, self.run.settings.http, self.plan.watch_rate) if url else None
        if stream is not None:
            stream.__enter__()
        try:
            if not self.apply(f"switch: public hosts to {self.new}", self.new):
                return False

            def watch() -> tuple[bool, str, str]:
                if stream is None:
                    return False, f"watch of {self.new} failed: the release has no public host", ""
                time.sleep(self.plan.watch_seconds)
                stream.__exit__()
                seen = stream.summary()
                # Counted from the preview's last reading: every request it answered since came by the public hosts.
                counted = None
                if self.last_reading is not None:
                    counted = counters.between(self.last_reading, self.reading(service))
                answered = None if counted is None else counted.requests
                self.run.record.observations.append(Observation("switch and watch", seen, answered))
                problems = [f"{seen.failed} of {seen.requests} requests to {url} failed ({_kinds(seen)})"] \
                    if seen.failed else []
                if not seen.requests:
                    problems.append(f"no answer from {url} at all")
                if answered == 0:
                    problems.append(f"{service} answered none of them: the switch did not reach the edge")
                elif counted is not None:  # what the colour answered every client, not only this stream
                    problems += [f"{service}'s {reason}" for reason in sum(
                        over_limits(counted, self.plan.thresholds, service), [])]
                if problems:
                    return False, f"watch of {self.new} failed: {'; '.join(problems)}", ""
                count = ""
                if counted is not None:
                    count = (f"; {service} answered {answered:.0f} since the preview, {counted.error_rate:.2%} errors, "
                             f"p99 {ms(counted.p99_seconds)}")
                return True, f"{seen.line()} (from before the switch until the watch ended){count}", ""

            return self.run.step(f"watch: {self.new} serves {hosts[0] if hosts else 'no host'} for "
                                 f"{self.plan.watch_seconds:g} s", watch).status == Status.PASS
        finally:
            if stream is not None:
                stream.__exit__()

    def back_to(self, name: str, revision: int) -> bool:
        def action() -> tuple[bool, str, str]:
            done = roll_back(self.run.project.tool("helm"), {self.plan.release: revision}, self.namespace,
                             self.run.record.context, tool_env(self.run.project, self.run.target))
            self.run.record.rolled_back[self.plan.release] = revision
            return True, f"helm rollback {', '.join(done)}", ""
        return self.run.step(name, action).status == Status.PASS

    def switch_back_command(self, revision: int) -> str:
        return (f"helm rollback {self.plan.release} {revision} --namespace {self.namespace} "
                f"--kube-context {self.run.record.context}")


def _kinds(summary) -> str:
    return ", ".join(f"{n}x {kind}" for kind, n in summary.failures.most_common())


def release(run: "_Run", plan: BlueGreenPlan) -> Exit:
    """Candidate, preview, switch and watch; the exit code of the whole run."""
    run.record.strategy = "blue-green"
    state = deployed(revisions(run.releases())[plan.release][0], plan.release)
    steps = _Steps(run, plan, state)
    old, new = steps.old, steps.new
    if not steps.apply(f"candidate: on {new}, the public hosts stay on {old}", old,
                       settle=deployment(plan.release, new)):
        return _abort(run, steps)
    candidate = steps.newest()
    public, preview = routes(candidate.manifest())
    if not steps.preview(preview):
        return _abort(run, steps)
    if not steps.switch(public):
        run.after_rollback = True
        if not steps.back_to(f"switch back: public hosts to {old}", candidate.version):
            return Exit.NEEDS_HUMAN
        return _verified(run)
    run.step(f"{old} kept for a switch back", lambda: (
        True, f"{deployment(plan.release, old)} keeps running the previous version beside {new}; switch back at "
              f"once with `{steps.switch_back_command(candidate.version)}`", ""))
    return Exit.RELEASED


def _abort(run: "_Run", steps: _Steps) -> Exit:
    """Before the switch: the release back to the revision it had; the public route never moved."""
    run.after_rollback = True
    if steps.newest().version != steps.state.revision and not steps.back_to(
            f"abort: {steps.plan.release} back to revision {steps.state.revision}, the public hosts never left "
            f"{steps.old}", steps.state.revision):
        return Exit.NEEDS_HUMAN
    return _verified(run)


def _verified(run: "_Run") -> Exit:
    return Exit.CANARY_ABORTED if run.step("smoke after abort", run.smoke).status is Status.PASS else Exit.NEEDS_HUMAN
