"""The database container's probes, as the chart renders them, against a real PostgreSQL.

The states a probe must tell apart: accepting connections (ready and alive), answering but
rejecting them (alive, not ready: what a server starting up, replaying WAL after a crash or
shutting down says), and not answering at all (neither). A smart shutdown with one session still
open holds the server in the rejecting state for as long as the test needs, through the same
"cannot connect now" answer that crash recovery gives.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from rendered import find, render_values
from services import Postgres, running_postgres

pytestmark = pytest.mark.slow

PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


@pytest.fixture(scope="module")
def probes() -> dict[str, list[str]]:
    """The exec command of each probe of the rendered acme-db container."""
    statefulset = find(render_values("acme-platform", ()), "StatefulSet", "acme-db")
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    return {name: container[name]["exec"]["command"] for name in PROBES}


def outcome(command: list[str], server: Postgres) -> int:
    """Run a probe as the kubelet would in the container: its env, the server on the test's port."""
    assert "-p 5432" in command[-1], "the probe no longer names port 5432: update this test"
    script = command[-1].replace("-p 5432", f"-p {server.port}")
    env = {**os.environ, "PATH": f"{server.bindir}{os.pathsep}{os.environ['PATH']}",
           "POSTGRES_USER": server.user, "POSTGRES_DB": "acme"}
    return subprocess.run([*command[:-1], script], env=env, capture_output=True, timeout=30).returncode


def wait_until_rejecting(server: Postgres) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = subprocess.run([server.bindir / "pg_isready", "-h", "127.0.0.1", "-p", str(server.port)],
                              capture_output=True)
        if done.returncode == 1:
            return
        time.sleep(0.2)
    pytest.fail("the server never started rejecting connections after a smart shutdown")


def test_probes_follow_the_server_through_accepting_rejecting_and_gone(probes):
    with running_postgres() as server:
        accepting = {name: outcome(command, server) for name, command in probes.items()}
        session = subprocess.Popen([server.bindir / "psql", "-X"], env={**os.environ, **server.env("acme")},
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)  # the session is established before the shutdown starts
            server.pg_ctl("-m", "smart", "-W", "stop")
            wait_until_rejecting(server)
            rejecting = {name: outcome(command, server) for name, command in probes.items()}
        finally:
            session.communicate(b"\\q\n", timeout=30)
        server.pg_ctl("-w", "-m", "fast", "stop")
        gone = {name: outcome(command, server) for name, command in probes.items()}
    assert accepting == {"startupProbe": 0, "readinessProbe": 0, "livenessProbe": 0}
    # Answering but rejecting: out of the Service, never restarted (a recovery would start over).
    assert rejecting["readinessProbe"] != 0 and rejecting["livenessProbe"] == 0 and rejecting["startupProbe"] == 0
    assert all(code != 0 for code in gone.values()), gone
