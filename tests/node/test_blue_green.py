"""A blue-green release under steady traffic through the edge: a good candidate on the idle colour
passes its preview, the public host is switched to it without one failed request, and the old
colour keeps running for a switch back; a candidate answering 20 % of its requests with 500 fails
its preview, the public route never moves, and the bad colour answers exactly the preview's
requests (its own counters in Prometheus), none of the public stream's."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from kubernetes import client

from harness.core.project import Project
from harness.deploy import drills
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node.settings import NodeSettings
from harness.deploy.release import report
from harness.deploy.release.blue_green import BlueGreenPlan
from harness.deploy.release.deploy import tool_env
from harness.deploy.release.flow import ReleaseOptions, release
from harness.deploy.release.outcome import Exit, ReleaseRecord
from harness.deploy.rollback import deployed_revisions, roll_back
from harness.deploy.target import target_for
from harness.deploy.traffic import UrlSummary, summarize
from harness.tools import vegeta
from harness.live import snapshot

pytestmark = pytest.mark.e2e
NAMESPACE = "acme"
API = "https://api.acme.com/v1/items"
RATE = 50  # requests per second to the public host while the release runs
WATCH = 5.0  # one scrape interval of the local Prometheus: the new colour's count covers the watch
ERROR_RATE = 0.2


def _api_revision(api: client.ApiClient) -> int:
    return deployed_revisions(snapshot.load(api, NAMESPACE).release_secrets)["acme-api"]


@pytest.fixture
def acme_api(cluster: ClusterSettings, api: client.ApiClient, workloads: NodeSettings) -> Iterator[int]:
    """acme-api's revision before the test, restored afterwards with one `helm rollback` (blue serves
    again at once, green goes): faster than a helmfile apply of the environment."""
    before = _api_revision(api)
    yield before
    if _api_revision(api) != before:
        project = Project.discover()
        roll_back(project.tool("helm"), {"acme-api": before}, NAMESPACE, cluster.context,
                  tool_env(project, target_for("local")))
    deadline = time.monotonic() + 120
    while any(p.metadata.name.startswith("acme-api-green-") for p in client.CoreV1Api(api).list_namespaced_pod(NAMESPACE).items):
        assert time.monotonic() < deadline, "acme-api-green's pods still there 120 s after the rollback"
        time.sleep(1)


@dataclass
class Run:
    record: ReleaseRecord
    summary: UrlSummary  # the whole stream
    answers: list[dict]  # every answer of the stream (vegeta's results)
    windows: dict[str, tuple[float, float]]  # step -> (start, end), unix seconds, from the flow's own log lines

    def during(self, *steps: str) -> UrlSummary:
        """The stream's answers to requests sent while these steps ran."""
        spans = [self.windows[s] for s in steps]
        chosen = [a for a in self.answers if any(start <= _sent(a) < end for start, end in spans)]
        return summarize(chosen)[0] if chosen else UrlSummary(API, 0, 0, 0.0, 0.0)


def _sent(answer: dict) -> float:
    stamp = answer["timestamp"]  # RFC 3339 with nanoseconds
    return dt.datetime.fromisoformat(stamp[:26].rstrip("Z") + "+00:00").timestamp()


def _release(workloads: NodeSettings, tmp_path: Path, plan: BlueGreenPlan) -> Run:
    starts: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}

    def log(line: str) -> None:  # "release: NAME ..." when a step starts, "release: NAME: RESULT ..." when it ends
        now = time.time()
        if line.endswith(" ..."):
            starts[line.removeprefix("release: ").removesuffix(" ...")] = now
        for name, start in starts.items():
            if line.startswith(f"release: {name}: "):
                windows[name] = (start, now)

    with drills.stream(workloads, RATE, tmp_path, urls=(API,)) as traffic:
        time.sleep(1)  # the stream runs before the candidate is applied
        record = release(Project.discover(), ReleaseOptions(env="local", preflight=False, blue_green=plan), log=log)
        time.sleep(1)
    run = Run(record, traffic.summary()[0], vegeta.results(traffic.binary, traffic.output), windows)
    print(f"\n{run.summary.line()}")
    for s in record.steps:
        seen = run.during(s.name).line() if s.name in windows else "-"
        print(f"{s.name}: {s.seconds:.1f} s: {s.detail}\n    stream meanwhile: {seen}")
    return run


def _public_backend(api: client.ApiClient) -> str:
    ingress = client.NetworkingV1Api(api).read_namespaced_ingress("acme-api", NAMESPACE)
    return ingress.spec.rules[0].http.paths[0].backend.service.name


def test_a_good_candidate_is_switched_under_traffic_without_a_failed_request(api, workloads: NodeSettings,
                                                                            acme_api: int, tmp_path: Path) -> None:
    run = _release(workloads, tmp_path, BlueGreenPlan(watch_seconds=WATCH))
    record = run.record
    assert record.exit is Exit.RELEASED, report.markdown(record)
    # The switch under traffic: not one request sent while the public hosts moved and were watched failed.
    switched = run.during("switch: public hosts to green", f"watch: green serves api.acme.com for {WATCH:g} s")
    assert switched.requests >= RATE * WATCH and switched.failed == 0, switched.line()
    assert run.summary.failed == 0, run.summary.line()  # the whole stream, the preview's smoke suite included
    preview, watch = record.observations
    assert preview.requests.failed == 0 and preview.answered == preview.requests.requests == 20, preview
    assert watch.requests.failed == 0 and watch.answered > 0, watch  # the switch reached the edge
    assert _public_backend(api) == "acme-api-green"
    kept = record.steps[-1]
    assert kept.name == "blue kept for a switch back", report.markdown(record)
    assert f"`helm rollback acme-api {acme_api + 1} --namespace acme --kube-context" in kept.detail
    assert client.AppsV1Api(api).read_namespaced_deployment("acme-api", NAMESPACE).status.available_replicas >= 1


def test_a_bad_candidate_fails_its_preview_and_never_reaches_the_public_host(api, workloads: NodeSettings,
                                                                            acme_api: int, tmp_path: Path) -> None:
    plan = BlueGreenPlan(faults={"errorRate": ERROR_RATE}, watch_seconds=WATCH)
    run = _release(workloads, tmp_path, plan)
    record = run.record
    assert record.exit is Exit.CANARY_ABORTED, report.markdown(record)
    failed = next(s for s in record.steps if s.name == "preview: green through preview-api.acme.com")
    assert re.fullmatch(r"preview of green failed: [1-9]\d* of 20 requests to https://preview-api\.acme\.com/v1/items "
                        r"failed \(\d+x 500\); the public hosts stay on blue", failed.detail), failed.detail
    assert not any(s.name.startswith("switch") for s in record.steps), report.markdown(record)
    (preview,) = record.observations
    # Every request the bad colour answered was the preview's: 0 of the public stream's.
    assert preview.answered == preview.requests.requests == 20, preview
    # The bad colour answers 500 (a fifth of its requests): the public stream saw none, and nothing failed
    # while the candidate was applied, previewed and rolled back, nor in the smoke suite after.
    assert run.summary.requests > 0 and run.summary.failed == 0, run.summary.line()
    assert _public_backend(api) == "acme-api"
    assert record.rolled_back == {"acme-api": acme_api}
