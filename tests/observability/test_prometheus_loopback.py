"""The pinned Prometheus (tools/promtool family) and Alertmanager on loopback, Prometheus scraping the
stand-in API built from images/api and loading the rule files the harness writes from the chart's
PrometheusRules: every rule loads and evaluates without error; after a short traffic run every
dashboard query whose metrics the API or Prometheus export returns data, while the ones on exporters
absent here (kube-state-metrics, cAdvisor) return none; and a rule the test triggers with one request
reaches a webhook receiver through Alertmanager. The target carries the labels the generated service
discovery gives it on a cluster (job = Service name, namespace)."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from harness.checks.render import promql
from harness.core.manifests import Manifests
from harness.deploy.observability.scrape_config import rule_files
from harness.live.prometheus_api import ready, rule_states, series_count
from pinned_tools import pinned_tool
from rendered import REPO_ROOT, render

HERE = ("acme-api", "prometheus")  # the exporters this test runs
TRAFFIC = [("/healthz/live", 200), ("/no/such/thing", 404), ("/v1/items", 503)]  # 503: no database behind it
# The alert the test triggers: the traffic above never uses DELETE, the trigger sends one.
SYNTHETIC = {"groups": [{"name": "acme-synthetic", "rules": [{
    "alert": "AcmeSyntheticAlert", "expr": 'sum(http_server_request_duration_seconds_count{http_request_method="DELETE"}) > 0',
    "labels": {"severity": "info"}, "annotations": {"summary": "triggered by the test"}}]}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, ok, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ok():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def manifests() -> Manifests:
    return Manifests.from_documents(render("acme-platform", "local"), "acme-platform", "acme")


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The stand-in API on loopback (app URL, metrics host:port); no database, so /v1/items answers 503."""
    work = tmp_path_factory.mktemp("api")
    binary = work / "acme-api"
    subprocess.run(["go", "build", "-o", binary, "."], cwd=REPO_ROOT / "images" / "api", check=True, timeout=600)
    port, metrics = free_port(), free_port()
    log = (work / "api.log").open("w")
    process = subprocess.Popen([binary], env={"POSTGRES_URL": f"postgresql://acme:x@127.0.0.1:{free_port()}/acme",
                                              "PORT": str(port), "METRICS_PORT": str(metrics)}, stdout=log, stderr=log)
    yield f"http://127.0.0.1:{port}", f"127.0.0.1:{metrics}"
    stop(process)
    log.close()


class Receiver:
    """A webhook receiver on loopback: every alert Alertmanager posts, with the time it arrived."""

    def __init__(self) -> None:
        self.alerts: list[tuple[float, dict]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.arrived:
                    receiver.alerts += [(time.monotonic(), alert) for alert in body.get("alerts", [])]
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"

    def first(self, alertname: str, seconds: float) -> float | None:
        """When the first alert named `alertname` arrived, waiting up to `seconds`."""
        deadline = time.monotonic() + seconds
        with self.arrived:
            while True:
                hit = next((t for t, a in self.alerts if a.get("labels", {}).get("alertname") == alertname), None)
                if hit is not None or time.monotonic() >= deadline:
                    return hit
                self.arrived.wait(deadline - time.monotonic())


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory, receiver) -> Iterator[str]:
    work = tmp_path_factory.mktemp("alertmanager")
    config = {"route": {"receiver": "harness", "group_by": ["alertname"], "group_wait": "0s", "group_interval": "1s",
                        "repeat_interval": "1h"},
              "receivers": [{"name": "harness", "webhook_configs": [{"url": receiver.url, "send_resolved": False}]}]}
    (work / "alertmanager.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (work / "alertmanager.log").open("w")
    # No cluster listener: one Alertmanager, and nothing beyond loopback.
    process = subprocess.Popen([pinned_tool("alertmanager"), f"--config.file={work / 'alertmanager.yml'}",
                                f"--storage.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                                "--cluster.listen-address="], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_until("Alertmanager ready", lambda: process.poll() is None and ready(url))
    yield f"127.0.0.1:{port}"
    stop(process)
    log.close()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory, manifests, api, alertmanager) -> Iterator[str]:
    work = tmp_path_factory.mktemp("prometheus")
    (work / "rules").mkdir()
    for name, content in {**rule_files(manifests), "synthetic.yaml": SYNTHETIC}.items():
        (work / "rules" / name).write_text(yaml.safe_dump(content))
    config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "rule_files": ["rules/*.yaml"],
              "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
              "scrape_configs": [{"job_name": "acme-api", "static_configs": [
                  {"targets": [api[1]], "labels": {"namespace": "acme"}}]}]}
    (work / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (work / "prometheus.log").open("w")
    process = subprocess.Popen([pinned_tool("prometheus"), f"--config.file={work / 'prometheus.yml'}",
                                f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                               cwd=work, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_until("Prometheus ready", lambda: process.poll() is None and ready(url))
    yield url
    stop(process)
    log.close()


@pytest.fixture(scope="module")
def after_traffic(prometheus, api) -> str:
    """Prometheus once it holds several scrapes of the API answering each kind of request."""
    wait_until("acme-api scraped", lambda: series_count(prometheus, 'up{job="acme-api"} == 1') == 1)
    for _ in range(5):
        for path, _status in TRAFFIC:
            try:
                urllib.request.urlopen(api[0] + path, timeout=5).close()
            except urllib.error.HTTPError:
                pass
        time.sleep(1)
    wait_until("two scrapes after the traffic",
               lambda: series_count(prometheus, 'count_over_time(up{job="acme-api"}[5m]) >= 7') == 1)
    return prometheus


def test_every_shipped_rule_loads_and_evaluates(after_traffic, manifests):
    shipped = {(g["name"], r.get("alert") or r.get("record")) for rule in manifests.of_kind("PrometheusRule")
               for g in rule.spec["groups"] for r in g["rules"]}
    wait_until("every rule evaluated", lambda: all(s.health == "ok" for s in rule_states(after_traffic)), seconds=20)
    states = [s for s in rule_states(after_traffic) if s.group != "acme-synthetic"]
    assert {(s.group, s.name) for s in states} == shipped
    assert [(s.name, s.error) for s in states if s.health != "ok"] == []


def test_dashboard_queries_have_data_exactly_where_their_exporters_run(after_traffic, manifests):
    catalogue = promql.catalogue()
    queries = [q for q in promql.queries(manifests) if q.field.startswith("data.")]
    parsed = promql.parse_all([q.expr for q in queries])
    expected = {q.field: all(catalogue.exporter_of(m) in HERE for m in parsed[q.expr].metrics) for q in queries}
    answered = {q.field: series_count(after_traffic, q.expr) > 0 for q in queries}
    assert answered == expected
    assert sum(expected.values()) == 5  # request rate, 5xx ratio, three latency quantiles


def test_a_triggered_rule_reaches_the_webhook_receiver(after_traffic, api, receiver):
    assert receiver.first("AcmeSyntheticAlert", seconds=0) is None, "fired before the trigger"
    sent = time.monotonic()
    urllib.request.urlopen(urllib.request.Request(api[0] + "/", method="DELETE"), timeout=5).close()
    arrived = receiver.first("AcmeSyntheticAlert", seconds=30)
    assert arrived is not None, "AcmeSyntheticAlert did not reach the receiver within 30 s of the trigger"
    (alert,) = [a for t, a in receiver.alerts if a["labels"]["alertname"] == "AcmeSyntheticAlert"][:1]
    assert (alert["status"], alert["labels"]["severity"]) == ("firing", "info")
    print(f"trigger to receiver: {arrived - sent:.1f} s")
