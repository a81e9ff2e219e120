"""The real node's Alertmanager configuration is one the pinned Alertmanager starts with (it refuses
a configuration it cannot read by exiting)."""

from __future__ import annotations

import socket
import subprocess
import time

from harness.core.yamlio import dump_yaml
from harness.deploy.cluster.settings import ClusterSettings
from harness.deploy.node import alertmanager
from harness.deploy.node.settings import NodeSettings
from harness.live.prometheus_api import ready
from pinned_tools import pinned_tool


def test_the_pinned_alertmanager_runs_the_nodes_configuration(tmp_path):
    (tmp_path / "alertmanager.yml").write_text(dump_yaml(alertmanager.config(NodeSettings(ClusterSettings.from_env()))))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen([pinned_tool("alertmanager"), f"--config.file={tmp_path / 'alertmanager.yml'}",
                                f"--storage.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                                "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not ready(f"http://127.0.0.1:{port}"):
            assert process.poll() is None, (tmp_path / "alertmanager.log").read_text()
            assert time.monotonic() < deadline, "Alertmanager not ready within 20 s"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
