"""The chart's collector as a process on loopback: the rendered container arguments, run by the real
Pushgateway binary that tests/collector/install-deps.sh unpacks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from prometheus_client.parser import text_string_to_metric_families

REPO_ROOT = Path(__file__).resolve().parents[2]
VERSION = "1.5.1-2+b5"
BINARY = REPO_ROOT / ".cache" / "collector" / f"pushgateway-{VERSION}" / "usr" / "bin" / "prometheus-pushgateway"
SERVICE = "acme-metrics"
LISTEN = "--web.listen-address="


def missing(reason: str) -> None:
    hint = f"{reason}: run tests/collector/install-deps.sh (make collector-deps)"
    if os.environ.get("ACME_REQUIRE_COLLECTOR_DEPS") == "1":
        pytest.fail(hint)
    pytest.skip(hint)


@dataclass(frozen=True)
class CollectorSpec:
    """What the rendered workload behind Service acme-metrics tells its container to run."""

    kind: str
    replicas: int
    args: tuple[str, ...]
    data_dir: str  # mountPath of the claimed volume
    grace_seconds: int
    pre_stop_seconds: int

    @classmethod
    def from_documents(cls, documents: list[dict]) -> "CollectorSpec":
        workload = next(d for d in documents if d.get("kind") in ("StatefulSet", "Deployment")
                        and d["metadata"]["name"] == SERVICE)
        pod = workload["spec"]["template"]["spec"]
        container = next(c for c in pod["containers"] if c["name"] == "collector")
        claims = {t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates") or []}
        mounts = [m["mountPath"] for m in container.get("volumeMounts") or [] if m["name"] in claims]
        pre_stop = container["lifecycle"]["preStop"]
        sleep = pre_stop["sleep"]["seconds"] if "sleep" in pre_stop else int(pre_stop["exec"]["command"][-1])
        return cls(workload["kind"], int(workload["spec"].get("replicas", 1)), tuple(container.get("args") or ()),
                   mounts[0] if mounts else "", int(pod["terminationGracePeriodSeconds"]), int(sleep))

    def command(self, port: int, volume: Path, args: tuple[str, ...] | None = None) -> list[str]:
        """The container's arguments with two substitutions only: the listen address moves to loopback,
        and paths on the claimed volume move into `volume` (the claim that survives the restart)."""
        chosen = self.args if args is None else args
        if not any(a.startswith(LISTEN) for a in chosen):
            raise AssertionError(f"no {LISTEN} among the rendered args {list(chosen)}")
        out = []
        for arg in chosen:
            if arg.startswith(LISTEN):
                arg = f"{LISTEN}127.0.0.1:{port}"
            elif self.data_dir and "=" in arg and arg.split("=", 1)[1].startswith(self.data_dir + "/"):
                flag, path = arg.split("=", 1)
                arg = f"{flag}={volume}{path[len(self.data_dir):]}"
            out.append(arg)
        return [str(BINARY), *out]

    @property
    def telemetry_path(self) -> str:
        return next((a.split("=", 1)[1] for a in self.args if a.startswith("--web.telemetry-path=")), "/metrics")

    def without_persistence(self) -> tuple[str, ...]:
        """The arguments of the layout before persistence: memory only."""
        return tuple(a for a in self.args if not a.startswith("--persistence."))

    def persistence_file(self, volume: Path) -> Path | None:
        """Where the state file lands in `volume`; None when the chart persists nothing on its claim."""
        path = next((a.split("=", 1)[1] for a in self.args if a.startswith("--persistence.file=")), "")
        if not self.data_dir or not path.startswith(self.data_dir + "/"):
            return None
        return volume / path[len(self.data_dir) + 1:]


Series = tuple[str, tuple[tuple[str, str], ...]]


class Pushgateway:
    """One collector process; `restart` is what a rollout does to the pod: SIGTERM, then a new process
    with the same arguments on the same volume."""

    def __init__(self, command: list[str], port: int, log: Path, timeout: float = 5):
        # Each push re-checks the whole store for consistency: with many groups it takes longer.
        self.command, self.port, self.log_path, self.timeout = command, port, log, timeout
        self.process: subprocess.Popen | None = None
        self._log: IO[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "Pushgateway":
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"pushgateway exited with {self.process.returncode}: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"pushgateway not ready on {self.url} after {timeout} s")

    def stop(self, timeout: float) -> tuple[int, float]:
        """SIGTERM, as the kubelet sends after preStop; (exit code, seconds to exit)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"pushgateway still running {timeout} s after SIGTERM: the kubelet kills it")
        finally:
            if self._log:
                self._log.close()
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._log:
            self._log.close()

    def push(self, job: str, instance: str, text: str) -> None:
        """PUT: replaces the whole group job/instance, as a client re-pushing its state does."""
        request = urllib.request.Request(f"{self.url}/metrics/job/{job}/instance/{instance}", data=text.encode(),
                                         method="PUT", headers={"Content-Type": "text/plain; version=0.0.4"})
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            assert answer.status in (200, 202), f"push answered {answer.status}"

    def scrape(self, metrics_path: str = "/metrics") -> list[tuple[Series, float]]:
        with urllib.request.urlopen(f"{self.url}{metrics_path}", timeout=self.timeout) as answer:
            text = answer.read().decode()
        return [((s.name, tuple(sorted(s.labels.items()))), s.value)
                for family in text_string_to_metric_families(text) for s in family.samples]


def values_of(samples: list[tuple[Series, float]], name: str, **labels: str) -> list[float]:
    """Every sample of one series across the scrapes given: more than one value is a duplicate."""
    want = tuple(sorted(labels.items()))
    return sorted(value for (sample, series_labels), value in samples if sample == name and series_labels == want)
