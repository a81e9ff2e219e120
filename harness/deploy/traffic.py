"""A steady request stream through the local edge while something happens to the workloads:
vegeta at a constant rate against the public hosts, every answer kept, summarized per URL
(requests, failures with what they were, p50/p99 latency)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from ..core.project import Project
from ..tools import vegeta


@dataclass(frozen=True)
class UrlSummary:
    url: str
    requests: int
    failed: int
    p50_ms: float
    p99_ms: float
    failures: Counter = field(default_factory=Counter)  # "502", "timeout", ... -> count

    def line(self) -> str:
        kinds = ", ".join(f"{n}x {kind}" for kind, n in self.failures.most_common())
        return (f"{self.url}: {self.requests} requests, {self.failed} failed{f' ({kinds})' if kinds else ''}, "
                f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms")


def _failure(result: dict) -> str | None:
    """What went wrong with one answer, or None: only 2xx and 3xx count as served."""
    if 200 <= result.get("code", 0) < 400:
        return None
    if result.get("code"):
        return str(result["code"])
    error = (result.get("error") or "no answer").lower()
    return "timeout" if "timeout" in error or "deadline" in error else error.rsplit(": ", 1)[-1]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarize(results: list[dict]) -> list[UrlSummary]:
    by_url: dict[str, list[dict]] = {}
    for result in results:
        by_url.setdefault(result.get("url", "?"), []).append(result)
    summaries = []
    for url, answers in sorted(by_url.items()):
        failures = Counter(kind for kind in map(_failure, answers) if kind)
        latencies = [a.get("latency", 0) / 1e6 for a in answers]
        summaries.append(UrlSummary(url, len(answers), sum(failures.values()), _percentile(latencies, 0.5),
                                    _percentile(latencies, 0.99), failures))
    return summaries


class Traffic:
    """`with Traffic(...) as traffic:` streams while the block runs; traffic.summary() after it."""

    def __init__(self, project: Project, urls: Sequence[str], rate: int, workdir: Path, *,
                 edge_address: str | None = None, ca_file: Path | None = None) -> None:
        self.project = project
        self.urls, self.rate, self.workdir = list(urls), rate, workdir
        self.edge_address, self.ca_file = edge_address, ca_file
        self.output = workdir / "results.bin"
        self.pid: int | None = None

    @property
    def binary(self) -> Path:
        return self.project.tool("vegeta")

    def _connect_to(self) -> list[str]:
        if self.edge_address is None:
            return []
        ports = {(urlsplit(u).hostname, urlsplit(u).port or (443 if u.startswith("https") else 80)) for u in self.urls}
        return [f"{host}:{port}:{self.edge_address}:{port}" for host, port in sorted(ports)]

    def __enter__(self) -> "Traffic":
        self.workdir.mkdir(parents=True, exist_ok=True)
        targets = self.workdir / "targets.txt"
        targets.write_text("".join(f"GET {url}\n\n" for url in self.urls))
        self.pid = vegeta.start(self.binary, targets, self.rate, self.output, self.workdir / "vegeta.log",
                                connect_to=self._connect_to(), root_certs=self.ca_file)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid is not None:
            vegeta.stop(self.pid)
            self.pid = None

    def summary(self) -> list[UrlSummary]:
        return summarize(vegeta.results(self.binary, self.output))
