"""The stand-in API from its image against Debian's real PostgreSQL on loopback.

The binary is static, so it runs straight from the unpacked image: readiness follows the
database and the credentials, the items resource reads and writes the table, metrics are served
on the metrics port and pushed to METRICS_URL in the Pushgateway's URL scheme.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest
from running import get, stop, wait_for_http
from services import free_port

from harness.policy.metrics import catalogue_path, load_catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def api_binary(images, tmp_path_factory) -> Path:
    root = images["api"].extract(tmp_path_factory.mktemp("api-image"))
    return root / images["api"].config["Entrypoint"][0].lstrip("/")


class Pushes:
    """A loopback receiver that records every push (method, path, body)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []
        self.arrived = threading.Event()


@pytest.fixture
def pushes() -> Iterator[tuple[str, Pushes]]:
    record = Pushes()

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            record.received.append((self.command, self.path, body))
            record.arrived.set()
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", record
    server.shutdown()
    server.server_close()


def database_url(postgres, password: str | None = None, port: int | None = None) -> str:
    secret = quote(password if password is not None else postgres.password, safe="")
    return f"postgresql://{postgres.user}:{secret}@127.0.0.1:{port or postgres.port}/acme?sslmode=disable"


@pytest.fixture
def start_api(api_binary, tmp_path):
    """start_api(env) -> (app URL, metrics URL); every process is stopped after the test."""
    started: list[tuple[subprocess.Popen, object]] = []

    def start(env: dict[str, str]) -> tuple[str, str]:
        port, metrics_port = free_port(), free_port()
        log = (tmp_path / f"api-{port}.log").open("w")
        process = subprocess.Popen([api_binary], env={"PORT": str(port), "METRICS_PORT": str(metrics_port), **env},
                                   stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        app = f"http://127.0.0.1:{port}"
        wait_for_http(f"{app}/healthz/live", process)
        return app, f"http://127.0.0.1:{metrics_port}"

    yield start
    for process, log in started:
        stop(process)
        log.close()


def test_ready_and_items_with_the_right_credentials(postgres, start_api) -> None:
    app, metrics = start_api({"POSTGRES_URL": database_url(postgres)})
    assert get(f"{app}/healthz/ready")[0] == 200
    status, _, body = get(f"{app}/v1/items", data=json.dumps({"name": "first item"}).encode(), method="POST")
    assert status == 201, body
    created = json.loads(body)
    status, headers, body = get(f"{app}/v1/items")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert created in json.loads(body)["items"]
    # The row really is in PostgreSQL, not in the process.
    assert postgres.psql("acme", f"SELECT name FROM items WHERE id = {created['id']}") == "first item"
    status, _, text = get(f"{metrics}/metrics")
    assert status == 200
    assert ('http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="201",'
            'http_route="/v1/items"} 1') in text.decode()
    assert "acme_api_database_up 1" in text.decode()


def test_bad_request_body_is_refused(postgres, start_api) -> None:
    app, _ = start_api({"POSTGRES_URL": database_url(postgres)})
    status, _, body = get(f"{app}/v1/items", data=b'{"name": ""}', method="POST")
    assert status == 400 and b"1-200 characters" in body


@pytest.mark.parametrize("broken", ["password", "port"], ids=["wrong-password", "nothing-listening"])
def test_not_ready_but_live_without_the_database(postgres, start_api, broken) -> None:
    url = database_url(postgres, password="wrong") if broken == "password" else database_url(postgres, port=free_port())
    app, metrics = start_api({"POSTGRES_URL": url})
    status, _, body = get(f"{app}/healthz/ready")
    assert status == 503 and json.loads(body)["status"] == "database unreachable"
    assert get(f"{app}/healthz/live")[0] == 200
    assert "acme_api_database_up 0" in get(f"{metrics}/metrics")[2].decode()


def test_pushes_metrics_to_the_collector(postgres, start_api, pushes) -> None:
    collector, record = pushes
    start_api({"POSTGRES_URL": database_url(postgres), "METRICS_URL": collector, "PUSH_INTERVAL_SECONDS": "1"})
    assert record.arrived.wait(10), "no push within 10 s"
    method, path, body = record.received[0]
    assert method == "PUT" and path.startswith("/metrics/job/acme-api/instance/")
    assert "# TYPE http_server_request_duration_seconds histogram" in body


def test_missing_database_url_is_one_line_and_exit_2(api_binary) -> None:
    result = subprocess.run([api_binary], env={}, capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("POSTGRES_URL is required (postgresql://user:password@host:port/database)")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("env", "sentence"), [
    ({"FAULT_ERROR_RATE": "1.5"}, 'FAULT_ERROR_RATE="1.5" is not a fraction between 0 and 1'),
    ({"FAULT_SLOW_DELAY": "soon"}, 'FAULT_SLOW_DELAY="soon" is not a duration like 500ms'),
    ({"FAULT_SLOW_RATE": "0.5"}, "FAULT_SLOW_RATE=0.5 needs FAULT_SLOW_DELAY, the time a slowed request waits (e.g. 500ms)"),
], ids=["rate-above-one", "delay-not-a-duration", "slow-without-delay"])
def test_bad_fault_knob_is_one_line_and_exit_2(api_binary, env, sentence) -> None:
    result = subprocess.run([api_binary], env={"POSTGRES_URL": "postgresql://acme@127.0.0.1:1/acme", **env},
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert result.stderr.strip() == f"acme-api: {sentence}"


def test_injected_faults_fail_and_slow_their_fraction(postgres, start_api) -> None:
    """A bad canary on purpose: probes pass, 20% of requests answer 500, 10% wait, and the metrics say so."""
    app, metrics = start_api({"POSTGRES_URL": database_url(postgres), "FAULT_ERROR_RATE": "0.2",
                              "FAULT_SLOW_RATE": "0.1", "FAULT_SLOW_DELAY": "300ms"})
    assert get(f"{app}/healthz/ready")[0] == 200
    timed = []
    for _ in range(20):
        started = time.monotonic()
        timed.append((get(f"{app}/v1/items")[0], time.monotonic() - started))
    assert [status for status, _ in timed].count(500) == 4
    assert [status for status, _ in timed].count(200) == 16
    assert sum(1 for _, took in timed if took >= 0.3) == 2
    text = get(f"{metrics}/metrics")[2].decode()
    assert ('http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="500",'
            'http_route="/v1/items"} 4') in text


def test_sigterm_drains_and_exits_cleanly(postgres, api_binary, tmp_path) -> None:
    port = free_port()
    process = subprocess.Popen([api_binary], env={"POSTGRES_URL": database_url(postgres), "PORT": str(port),
                                                  "METRICS_PORT": str(free_port())},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_http(f"http://127.0.0.1:{port}/healthz/live", process)
    assert stop(process) == 0


def served_families(exposition: str) -> dict[str, str]:
    """family -> type from the exposition's TYPE lines (text format 0.0.4 declares every family)."""
    return {line.split()[2]: line.split()[3] for line in exposition.splitlines() if line.startswith("# TYPE ")}


def test_serves_exactly_the_families_the_metric_catalogue_declares(postgres, start_api) -> None:
    """policy/exported-metrics.yaml is what the dashboards and rules are held to: the binary is its source."""
    app, metrics = start_api({"POSTGRES_URL": database_url(postgres)})
    for path, method in (("/v1/items", "GET"), ("/no/such/thing", "GET"), ("/healthz/ready", "GET")):
        get(f"{app}{path}", method=method)
    declared = load_catalogue(catalogue_path(REPO_ROOT)).exporter("acme-api").families
    assert served_families(get(f"{metrics}/metrics")[2].decode()) == declared


def test_request_log_line_carries_the_request_id(postgres, start_api, tmp_path) -> None:
    app, _ = start_api({"POSTGRES_URL": database_url(postgres)})
    assert get(f"{app}/healthz/ready")[0] == 200  # the first ready check creates the items table
    status, headers, _ = get(f"{app}/v1/items", headers={"X-Request-Id": "images-test-1"})
    assert status == 200 and headers["X-Request-Id"] == "images-test-1"
    lines = [json.loads(line) for log in tmp_path.glob("api-*.log") for line in log.read_text().splitlines()]
    (logged,) = [line for line in lines if line.get("request_id") == "images-test-1"]
    assert (logged["msg"], logged["route"], logged["status"], logged["service"]) == ("request", "/v1/items", 200, "acme-api")


def test_go_unit_tests_pass() -> None:
    done = subprocess.run(["go", "test", "-count=1", "./..."], cwd=REPO_ROOT / "images" / "api",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
