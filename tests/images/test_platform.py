"""The platform's images, run from their unpacked files under chroot as the chart's uid:
PostgreSQL initialising and serving the chart's credentials (and its exec probe), and the
Pushgateway with the chart's args receiving the stand-in API's pushes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from rendered import find, render
from running import chroot, get, stop, wait_for_http
from services import free_port, wait_for_port

from harness.deploy.images.contract import find_container, pod_spec


@pytest.fixture(scope="module")
def platform() -> list[dict]:
    return render("acme-platform", "local")


def container(platform, kind: str, name: str, container_name: str) -> tuple[dict, dict]:
    pod = pod_spec(find(platform, kind, name))
    return pod, find_container(pod, container_name)


def test_postgres_initialises_serves_the_credentials_and_passes_its_probe(platform, images, rootfs, tmp_path) -> None:
    pod, db = container(platform, "StatefulSet", "acme-db", "postgresql")
    uid = pod["securityContext"]["runAsUser"]
    root: Path = rootfs("postgres")
    for mount in db["volumeMounts"]:
        os.chown(root / mount["mountPath"].lstrip("/"), uid, uid)  # the volumes, through fsGroup
    image_env = dict(item.split("=", 1) for item in images["postgres"].config["Env"])
    pgdata = next(var["value"] for var in db["env"] if var["name"] == "PGDATA")
    env = {"PATH": image_env["PATH"], "PGDATA": pgdata, "POSTGRES_USER": "acme", "POSTGRES_PASSWORD": "pw-from-secret",
           "POSTGRES_DB": "acme"}
    port = free_port()
    log = (tmp_path / "postgres.log").open("w")
    server = chroot(root, f"{uid}:{uid}", ["/usr/local/bin/postgres-entrypoint", "-c", f"port={port}",
                                          "-c", "listen_addresses=127.0.0.1"], env=env, stdout=log, stderr=log)
    try:
        wait_for_port(port, server, seconds=120)
        host_psql = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1]
        # The port opens while the server still refuses sessions ("the database system is starting up").
        deadline = time.monotonic() + 60
        while subprocess.run([host_psql.parent / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode:
            assert time.monotonic() < deadline and server.poll() is None, "postgres never accepted sessions"
            time.sleep(0.2)
        query = subprocess.run([host_psql, "-X", "-Atc", "SELECT current_user, current_database()"],
                               env={"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "acme",
                                    "PGPASSWORD": "pw-from-secret", "PGDATABASE": "acme"},
                               capture_output=True, text=True, timeout=30)
        assert query.stdout.strip() == "acme|acme", query.stderr
        wrong = subprocess.run([host_psql, "-X", "-Atc", "SELECT 1"],
                               env={"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "acme",
                                    "PGPASSWORD": "wrong", "PGDATABASE": "acme"},
                               capture_output=True, text=True, timeout=30)
        assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
        # The chart's readiness probe, as the kubelet runs it inside the container.
        probe = db["readinessProbe"]["exec"]["command"]
        probe = [part.replace("-p 5432", f"-p {port}") for part in probe]
        ready = chroot(root, f"{uid}:{uid}", probe, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert ready.wait(timeout=30) == 0, ready.stdout.read()
        ready.stdout.close()
    finally:
        assert stop(server, signal.Signals[images["postgres"].config["StopSignal"]], seconds=60) == 0
        log.close()


def test_pushgateway_with_the_charts_args_takes_pushes(platform, images, rootfs, tmp_path) -> None:
    pod, collector = container(platform, "StatefulSet", "acme-metrics", "collector")
    uid = pod["securityContext"]["runAsUser"]
    root = rootfs("pushgateway")
    for mount in collector.get("volumeMounts") or []:  # the claimed volume holding --persistence.file
        target = root / mount["mountPath"].lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        os.chown(target, uid, uid)
    port = free_port()
    args = [arg.replace("=:8080", f"=127.0.0.1:{port}") for arg in collector["args"]]
    log = (tmp_path / "pushgateway.log").open("w")
    process = chroot(root, f"{uid}:{uid}", [*images["pushgateway"].config["Entrypoint"], *args], stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}{collector['readinessProbe']['httpGet']['path']}", process)
        assert get(f"{base}{collector['livenessProbe']['httpGet']['path']}")[0] == 200
        body = b"# TYPE acme_probe gauge\nacme_probe 42\n"
        assert get(f"{base}/metrics/job/acme-api/instance/test", data=body, method="PUT")[0] == 200
        status, _, metrics = get(f"{base}/metrics")
        assert status == 200 and 'acme_probe{instance="test",job="acme-api"} 42' in metrics.decode()
    finally:
        stop(process)
        log.close()
