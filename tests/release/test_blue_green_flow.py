"""`harness release --strategy blue-green` with the cluster faked: the steps and the values of each
helmfile apply (both colours written out as deployed), the preview's requests at the edge and the
idle colour's own count, the switch under the watch's stream, the switch back, the abort before the
switch (exact one-sentence details), a release that is not deployed, and the report."""

from __future__ import annotations

import math
from xml.etree import ElementTree as ET

import pytest
from release_fakes import helm_release_secret

from harness.checks.run import Status
from harness.core import yamlio
from harness.core.errors import HarnessError
from harness.core.project import Project
from harness.deploy.release import blue_green, counters, flow, report, steps
from harness.deploy.release.analysis import Thresholds
from harness.deploy.release.blue_green import BlueGreenPlan, Colour, Deployed
from harness.deploy.release.flow import ReleaseOptions, release
from harness.deploy.release.outcome import Exit
from harness.live import httpprobe
from harness.live.releases import revisions

DIGEST = "sha256:" + "a" * 64
NEW_DIGEST = "sha256:" + "b" * 64
PREVIEW = "https://preview-api.acme.com/v1/items"
PUBLIC = "https://api.acme.com/v1/items"
INF = math.inf


def _deployment(name: str, tag: str, digest: str) -> dict:
    image = f"docker.io/acme/api:{tag}" + (f"@{digest}" if digest else "")
    return {"kind": "Deployment", "metadata": {"name": name},
            "spec": {"template": {"spec": {"containers": [{"name": "api", "image": image}]}}}}


def _ingress(name: str, host: str, service: str, preview: bool = False) -> dict:
    labels = {"acme.com/route": "preview"} if preview else {}
    return {"kind": "Ingress", "metadata": {"name": name, "labels": labels}, "spec": {"rules": [
        {"host": host, "http": {"paths": [{"backend": {"service": {"name": service}}}]}}]}}


def _manifest(config: dict) -> list[dict]:
    """What the chart renders for the values, as far as the flow reads it."""
    image = config.get("image", {"tag": "1.0.0", "digest": DIGEST})
    rollout = config.get("rollout", {})
    if rollout.get("strategy") != "blueGreen":
        return [_deployment("acme-api", image["tag"], image["digest"]), _ingress("acme-api", "api.acme.com", "acme-api")]
    bg = rollout["blueGreen"]
    green = bg["green"]["image"] if bg["green"]["image"]["tag"] else image
    services = {"blue": "acme-api", "green": "acme-api-green"}
    idle = "green" if bg["active"] == "blue" else "blue"
    return [_deployment("acme-api", image["tag"], image["digest"]),
            _deployment("acme-api-green", green["tag"], green["digest"]),
            _ingress("acme-api", "api.acme.com", services[bg["active"]]),
            _ingress("acme-api-preview", "preview-api.acme.com", services[idle], preview=True)]


class FakeBlueGreen:
    """Release revisions that follow the applies and rollbacks; the edge and Prometheus scripted."""

    def __init__(self, monkeypatch, cluster, start: dict | None = None) -> None:
        cluster.smoke = [True] * 4
        self.configs: list[dict] = [start or {}]  # revision n is configs[n - 1]
        self.applied: list[tuple[str, dict]] = []
        self.rolled_back: list[int] = []
        self.apply_error_at: int | None = None
        self.preview_error_every = 0  # every n-th preview answer is a 500
        self.public_status_after_switch = 200
        self.counted: dict[str, list[float]] = {"acme-api-green": [0, 20, 70], "acme-api": [0, 20, 70]}
        self.errored: dict[str, list[float]] = {}  # 5xx answers beside each count; none unless a test says
        self.preview_seen = 0
        monkeypatch.setattr(flow._Run, "releases", lambda run: self.secrets())
        monkeypatch.setattr(steps, "helmfile_apply", self.apply)
        monkeypatch.setattr(blue_green, "roll_back", self.roll_back)
        monkeypatch.setattr(steps, "wait_settled", lambda api, namespace, name: 0.5)
        monkeypatch.setattr(blue_green.counters, "read", self.read)
        monkeypatch.setattr(blue_green._Steps, "available", lambda steps, name: 3)
        monkeypatch.setattr(httpprobe, "fetch", self.fetch)

    def secrets(self) -> list[dict]:
        last = len(self.configs)
        return [helm_release_secret("acme-api", n, _manifest(c), c, "deployed" if n == last else "superseded")
                for n, c in enumerate(self.configs, start=1)]

    def apply(self, project, target, context, selector, values) -> str:
        if self.apply_error_at == len(self.applied):
            raise HarnessError("helmfile -e staging apply failed:\n  Error: timed out waiting for the condition")
        (path,) = values
        config = yamlio.load_yaml_file(path)
        self.applied.append((selector, config))
        self.configs.append(config)
        return "applied"

    def roll_back(self, helm, targets, namespace, context, env) -> list[str]:
        (revision,) = targets.values()
        self.rolled_back.append(revision)
        self.configs.append(self.configs[revision - 1])
        return [f"acme-api->{revision}"]

    def read(self, url, service, targets, since, timeout, start=None, interval=0.0):
        requests = self.counted[service].pop(0)
        errors = self.errored[service].pop(0) if service in self.errored else 0.0
        return counters.Reading({"pod": {0.01: requests, INF: requests}}, {"pod": errors})

    def fetch(self, url, settings) -> httpprobe.Response:
        if url == PREVIEW:
            self.preview_seen += 1
            bad = self.preview_error_every and self.preview_seen % self.preview_error_every == 0
            return httpprobe.Response(500 if bad else 200, {}, b"")
        switched = len(self.applied) >= 2
        return httpprobe.Response(self.public_status_after_switch if switched else 200, {}, b"")


def _run(plan: BlueGreenPlan):
    return release(Project.discover(), ReleaseOptions(env="staging", confirm_context="ctx", settle_seconds=0,
                                                      preflight=False, blue_green=plan), log=lambda line: None)


def _plan(**kwargs) -> BlueGreenPlan:
    return BlueGreenPlan(watch_seconds=0.2, watch_rate=50, prometheus_url="http://prometheus", **kwargs)


def _values(active: str, blue: tuple[str, str], green: tuple[str, str], green_faults: dict | None = None) -> dict:
    faults = {"errorRate": 0, "slowRate": 0, "slowDelay": "500ms"}
    return {"image": {"tag": blue[0], "digest": blue[1]}, "rollout": {"strategy": "blueGreen", "blueGreen": {
        "active": active, "green": {"image": {"tag": green[0], "digest": green[1]}},
        "faults": {"blue": faults, "green": {**faults, **(green_faults or {})}}}}}


def test_a_good_candidate_is_previewed_switched_and_the_old_colour_kept(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    record = _run(_plan(image_tag="1.0.1", image_digest=NEW_DIGEST))
    assert record.exit is Exit.RELEASED and record.strategy == "blue-green"
    assert [s.name for s in record.steps] == [
        "preflight", "candidate: on green, the public hosts stay on blue", "preview: green through preview-api.acme.com",
        "switch: public hosts to green", "watch: green serves api.acme.com for 0.2 s", "blue kept for a switch back"]
    assert fake.applied == [("name=acme-api", _values("blue", ("1.0.0", DIGEST), ("1.0.1", NEW_DIGEST))),
                            ("name=acme-api", _values("green", ("1.0.0", DIGEST), ("1.0.1", NEW_DIGEST)))]
    preview, watch = record.observations
    assert (preview.step, preview.requests.url, preview.requests.requests, preview.answered) == ("preview", PREVIEW, 20, 20)
    assert (watch.step, watch.requests.url, watch.requests.failed, watch.answered) == ("switch and watch", PUBLIC, 0, 50)
    by_name = {s.name: s for s in record.steps}
    assert by_name["preview: green through preview-api.acme.com"].detail == (
        f"{preview.requests.line()}; acme-api-green answered 20, the preview's 20; smoke: 1 snapshots, 1 check runs: "
        "1 passed, 0 failed (0 findings), 0 skipped")
    assert by_name["watch: green serves api.acme.com for 0.2 s"].detail == (
        f"{watch.requests.line()} (from before the switch until the watch ended); acme-api-green answered 50 since "
        "the preview, 0.00% errors, p99 9.9 ms")
    assert record.steps[-1].detail == ("acme-api keeps running the previous version beside green; switch back at once "
                                       "with `helm rollback acme-api 2 --namespace acme --kube-context ctx`")
    assert fake.rolled_back == [] and record.smoke_after_rollback == []


def test_a_config_candidate_runs_the_active_colours_image_on_the_idle_one(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    _run(_plan(faults={"slowRate": 0.5}))
    assert fake.applied[0][1] == _values("blue", ("1.0.0", DIGEST), ("1.0.0", DIGEST), {"slowRate": 0.5})


def test_with_green_active_the_candidate_lands_on_blue_and_green_keeps_its_image(fake_cluster, monkeypatch) -> None:
    start = _values("green", ("1.0.0", DIGEST), ("1.0.1", NEW_DIGEST))
    fake = FakeBlueGreen(monkeypatch, fake_cluster, start)
    fake.counted = {"acme-api": [0, 20, 70]}
    record = _run(_plan(image_tag="1.0.2"))
    assert record.exit is Exit.RELEASED
    assert [v for _, v in fake.applied] == [_values("green", ("1.0.2", ""), ("1.0.1", NEW_DIGEST)),
                                            _values("blue", ("1.0.2", ""), ("1.0.1", NEW_DIGEST))]
    assert record.steps[1].name == "candidate: on blue, the public hosts stay on green"
    assert record.steps[-1].name == "green kept for a switch back"


def test_a_bad_candidate_fails_its_preview_and_the_public_route_never_moves(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.preview_error_every = 5  # as the stand-in image with errorRate 0.2: every fifth answer
    record = _run(_plan(faults={"errorRate": 0.2}))
    assert record.exit is Exit.CANARY_ABORTED
    assert [s.name for s in record.steps][1:] == [
        "candidate: on green, the public hosts stay on blue", "preview: green through preview-api.acme.com",
        "abort: acme-api back to revision 1, the public hosts never left blue", "smoke after abort"]
    failed = record.steps[2]
    # 21 preview answers in all: the one that found the route, then the 20 counted.
    assert (failed.status, failed.detail) == (Status.FAIL, (
        "preview of green failed: 4 of 20 requests to https://preview-api.acme.com/v1/items failed (4x 500); "
        "the public hosts stay on blue"))
    assert [v["rollout"]["blueGreen"]["active"] for _, v in fake.applied] == ["blue"]
    assert fake.rolled_back == [1] and record.rolled_back == {"acme-api": 1}
    assert record.steps[3].detail == "helm rollback acme-api->1"
    assert record.smoke_after_rollback, "the smoke run after the abort is kept apart"


def test_a_colour_that_answers_more_than_its_preview_fails_it(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.counted["acme-api-green"] = [0, 25]
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    assert record.steps[2].detail == ("preview of green failed: acme-api-green answered 25 requests while the preview "
                                      "sent 20, so other requests reach it; the public hosts stay on blue")


def test_a_preview_whose_smoke_fails_is_not_switched(fake_cluster, monkeypatch) -> None:
    FakeBlueGreen(monkeypatch, fake_cluster)
    fake_cluster.smoke = [False, True]
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    assert record.steps[2].detail == ("preview of green failed: smoke failed: deployment.rolled-out (1 snapshots, 1 "
                                      "check runs: 0 passed, 1 failed (1 findings), 0 skipped); the public hosts stay "
                                      "on blue")


def test_a_failed_candidate_apply_aborts_with_helms_error(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.apply_error_at = 0
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    assert [(s.name, s.status, s.detail) for s in record.steps][1:] == [
        ("candidate: on green, the public hosts stay on blue", Status.FAIL, "Error: timed out waiting for the condition"),
        ("smoke after abort", Status.PASS, "1 snapshots, 1 check runs: 1 passed, 0 failed (0 findings), 0 skipped")]
    assert fake.rolled_back == [], "nothing moved: nothing to roll back"


def test_a_failed_watch_switches_back_to_the_old_colour(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.public_status_after_switch = 502
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    watch = next(o for o in record.observations if o.step == "switch and watch")
    assert record.steps[4].detail == (f"watch of green failed: {watch.requests.failed} of {watch.requests.requests} "
                                      f"requests to {PUBLIC} failed ({watch.requests.failed}x 502)")
    assert [(s.name, s.detail) for s in record.steps][5:] == [
        ("switch back: public hosts to blue", "helm rollback acme-api->2"),
        ("smoke after abort", "1 snapshots, 1 check runs: 1 passed, 0 failed (0 findings), 0 skipped")]
    assert fake.rolled_back == [2], "back to the candidate's revision: blue active, green still there"


def test_a_watch_that_counts_errors_from_other_clients_switches_back(fake_cluster, monkeypatch) -> None:
    # the flow's own stream saw no failure, but the new colour answered 5 of its 50 requests since the preview
    # with a 5xx: the users' requests the stream did not send
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.errored["acme-api-green"] = [0, 0, 5]
    record = _run(_plan())
    assert record.exit is Exit.CANARY_ABORTED
    assert record.steps[4].detail == ("watch of green failed: acme-api-green's error rate 10.00% above the absolute "
                                      "1.00%")
    assert [s.name for s in record.steps][5:] == ["switch back: public hosts to blue", "smoke after abort"]
    assert fake.rolled_back == [2]


def test_a_watch_slower_than_the_threshold_switches_back(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    record = _run(_plan(thresholds=Thresholds(max_p99_seconds=0.005)))
    assert record.exit is Exit.CANARY_ABORTED
    assert record.steps[4].detail == "watch of green failed: acme-api-green's p99 9.9 ms above the absolute 5.0 ms"


def test_a_blue_green_switch_of_a_release_that_is_not_deployed_is_refused(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    record = _run(BlueGreenPlan(release="acme-web"))
    assert record.exit is Exit.PREFLIGHT_FAILED and fake.applied == []
    assert (record.steps[-1].name, record.steps[-1].detail) == (
        "blue-green switch", "release acme-web is not deployed in namespace acme: release it first, then its "
                             "blue-green switch")


def test_the_report_carries_every_step_and_the_edges_numbers(fake_cluster, monkeypatch) -> None:
    fake = FakeBlueGreen(monkeypatch, fake_cluster)
    fake.preview_error_every = 5
    record = _run(_plan())
    text = report.markdown(record)
    assert ("**Result: exit 7 — the new colour failed its preview or its watch: the public hosts stay on (or went "
            "back to) the old colour, which passes smoke**") in text
    assert (f"| preview | {PREVIEW} | 20 | 4 | {record.observations[0].requests.p99_ms:.1f} ms | 20 |") in text
    assert ("| preview: green through preview-api.acme.com | FAIL |") in text
    assert report.ending(record) == "blue-green aborted"
    suite = ET.fromstring(report.junit(record)).find("testsuite[@name='release/staging']")
    case = suite.find("testcase[@name='preview: green through preview-api.acme.com']")
    assert case.find("failure").get("message") == record.steps[2].detail


@pytest.mark.parametrize(("image", "expected"), [
    ("docker.io/acme/api:1.0.0@" + DIGEST, ("1.0.0", DIGEST)),
    ("registry:5000/acme/api:1.0.1", ("1.0.1", "")),
    ("registry:5000/acme/api@" + DIGEST, ("", DIGEST)),
], ids=["tag-and-digest", "port-and-tag", "digest-only"])
def test_an_image_reference_gives_its_tag_and_digest(image: str, expected: tuple[str, str]) -> None:
    assert blue_green.parse_image(image) == expected


def test_a_rolling_release_is_blue_active_and_faults_come_from_its_values() -> None:
    config = _values("green", ("1.0.0", DIGEST), ("1.0.1", ""), {"errorRate": 0.2})
    (revision,) = revisions([helm_release_secret("acme-api", 7, _manifest(config), config)])["acme-api"]
    assert blue_green.deployed(revision, "acme-api") == Deployed(7, "green", {
        "blue": Colour("1.0.0", DIGEST, {"errorRate": 0, "slowRate": 0, "slowDelay": "500ms"}),
        "green": Colour("1.0.1", "", {"errorRate": 0.2, "slowRate": 0, "slowDelay": "500ms"})})
    (rolling,) = revisions([helm_release_secret("acme-api", 3, _manifest({}), {})])["acme-api"]
    assert blue_green.deployed(rolling, "acme-api") == Deployed(3, "blue", {"blue": Colour("1.0.0", DIGEST, {})})


def test_a_release_without_its_active_colours_deployment_is_named() -> None:
    config = {"rollout": {"strategy": "blueGreen", "blueGreen": {"active": "green"}}}
    (revision,) = revisions([helm_release_secret("acme-api", 4, _manifest({}), config)])["acme-api"]
    with pytest.raises(HarnessError, match=r"^release acme-api revision 4 runs no Deployment acme-api-green for its "
                                           r"active colour green$"):
        blue_green.deployed(revision, "acme-api")
