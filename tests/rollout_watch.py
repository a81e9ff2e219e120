"""Watch a Deployment through a rollout: how low did availability go, and how did it end?

The zero-downtime and rollback proofs (tests/e2e) are built on it.
A watch stream records every status the controller writes, so a dip cannot fall between polls.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kubernetes import client, watch
from urllib3.exceptions import HTTPError

from harness.core.intstr import scaled


@dataclass(frozen=True)
class Sample:
    at: float  # monotonic seconds
    generation: int
    observed_generation: int
    replicas: int
    updated: int
    available: int
    total: int
    progressing_reason: str

    @classmethod
    def of(cls, dep: Any, at: float) -> "Sample":
        status = dep.status
        reason = next((c.reason or "" for c in status.conditions or [] if c.type == "Progressing"), "")
        return cls(at, dep.metadata.generation or 0, status.observed_generation or 0, dep.spec.replicas or 0,
                   status.updated_replicas or 0, status.available_replicas or 0, status.replicas or 0, reason)

    @property
    def complete(self) -> bool:
        """The controller's own definition: every replica updated and available, no old pods left."""
        return (self.observed_generation >= self.generation and self.updated == self.replicas
                and self.available == self.replicas and self.total == self.replicas)


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def since(self, start: float) -> list[Sample]:
        """The samples from `start` on, led by the one in force at `start` (the last recorded by then):
        a Deployment nothing touches writes no status, so there may be no later sample at all."""
        with self.lock:
            in_force = [s for s in self.samples if s.at <= start][-1:]
            return in_force + [s for s in self.samples if s.at > start]

    def min_available(self, start: float = 0.0) -> int:
        return min(s.available for s in self.since(start))


class DeploymentWatch:
    """Context manager: records Samples of one Deployment from a watch stream in a thread."""

    def __init__(self, api: client.ApiClient, namespace: str, name: str) -> None:
        self.apps = client.AppsV1Api(api)
        self.namespace, self.name = namespace, name
        self.recorder = Recorder()
        self._watch = watch.Watch()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "DeploymentWatch":
        self.recorder.add(Sample.of(self.apps.read_namespaced_deployment(self.name, self.namespace), time.monotonic()))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._watch.stop()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():  # a watch ends after its server timeout; start another
            try:
                for event in self._watch.stream(self.apps.list_namespaced_deployment, self.namespace,
                                                field_selector=f"metadata.name={self.name}", timeout_seconds=30):
                    self.recorder.add(Sample.of(event["object"], time.monotonic()))
                    if self._stop.is_set():
                        return
            except (HTTPError, OSError, client.exceptions.ApiException):
                time.sleep(0.2)

    def latest(self) -> Sample:
        return self.recorder.samples[-1]

    def wait(self, generation: int, started: float, timeout: float) -> tuple[str, float]:
        """Block until the rollout of `generation` completes or exceeds its progress deadline.

        Returns (outcome, seconds since `started`): "complete", "deadline-exceeded" or "timeout".
        """
        while time.monotonic() < started + timeout:
            sample = self.latest()
            if sample.observed_generation >= generation:
                if sample.progressing_reason == "ProgressDeadlineExceeded":
                    return "deadline-exceeded", sample.at - started
                if sample.complete:
                    return "complete", sample.at - started
            time.sleep(0.1)
        return "timeout", time.monotonic() - started


def resolve_max_unavailable(value: int | str | None, replicas: int) -> int:
    """maxUnavailable as the Deployment controller reads it: 25% when unset, a percentage rounded down."""
    return scaled("25%" if value is None else value, replicas, round_up=False)
