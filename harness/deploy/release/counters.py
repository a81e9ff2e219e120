"""A track's exact numbers over a step: its request counters read from Prometheus at the step's
start and at its end, and the difference taken here. `increase()` over the same window would
extrapolate to the window's edges and miss the counts of a series born inside it (a new canary
pod), so its request and error counts are not the ones a failure bound can be checked against.

A reading waits until every target of the track has been scraped after the moment it stands
for; the end reading waits until each target was scraped the interval after its own start
sample, so every target's counts span the same whole number of scrape intervals (the interval
rounded up to the scrape interval) and the tracks' counts can be compared.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ...core.errors import HarnessError
from ...live import prometheus_api
from .analysis import TrackMetrics

# Probes are answered by every pod whether it serves well or not: they would dilute the error rate.
BUCKETS = ('sum by (pod, le, http_response_status_code) (http_server_request_duration_seconds_bucket'
           '{{service="{service}",http_route!~"/healthz/.*"}})')
SCRAPED = 'up{{service="{service}"}}'
INF = math.inf
POLL_SECONDS = 0.5
JITTER_SECONDS = 0.5


@dataclass(frozen=True)
class Reading:
    """One track's cumulative counters, per pod: le -> requests at or below it, 5xx answers, and
    when the pod was scraped for them (unix seconds)."""

    buckets: dict[str, dict[float, float]]
    errors: dict[str, float]
    scraped: dict[str, float] = field(default_factory=dict)


def parse(series: list[tuple[dict[str, str], float]]) -> Reading:
    """The answer of BUCKETS -> a Reading (the +Inf bucket of a pod is its request count)."""
    buckets: dict[str, dict[float, float]] = {}
    errors: dict[str, float] = {}
    for labels, count in series:
        pod, le = labels.get("pod", ""), float(labels.get("le", "+Inf"))
        per_le = buckets.setdefault(pod, {})
        per_le[le] = per_le.get(le, 0.0) + count
        if le == INF and labels.get("http_response_status_code", "").startswith("5"):
            errors[pod] = errors.get(pod, 0.0) + count
    return Reading(buckets, errors)


def between(start: Reading, end: Reading) -> TrackMetrics:
    """Requests, 5xx answers and p99 of the track from `start` to `end`. A pod new at the end
    counts from zero; a pod whose counter fell (it restarted) counts from zero too."""
    total: dict[float, float] = {}
    errors = 0.0
    for pod, per_le in end.buckets.items():
        before = start.buckets.get(pod, {})
        reset = per_le.get(INF, 0.0) < before.get(INF, 0.0)
        base = {} if reset else before
        for le, count in per_le.items():
            total[le] = total.get(le, 0.0) + count - base.get(le, 0.0)
        errors += end.errors.get(pod, 0.0) - (0.0 if reset else start.errors.get(pod, 0.0))
    return TrackMetrics(total.get(INF, 0.0), errors, quantile(0.99, total))


def quantile(q: float, buckets: dict[float, float]) -> float:
    """Prometheus' histogram_quantile over cumulative buckets (le -> count): linear within the
    bucket the rank falls in, the highest finite bound when it falls in +Inf, NaN without requests."""
    bounds = sorted(buckets)
    if len(bounds) < 2 or bounds[-1] != INF or buckets[INF] <= 0:
        return math.nan
    rank = q * buckets[INF]
    lower, below = 0.0, 0.0
    for i, le in enumerate(bounds):
        count = buckets[le]
        if count >= rank:
            if le == INF:
                return bounds[-2]
            if i == 0 and le <= 0:
                return le
            return lower + (le - lower) * (rank - below) / (count - below) if count > below else le
        lower, below = le, count
    return bounds[-2]


def read(base_url: str, service: str, targets: int, since: float, timeout: float, start: Reading | None = None,
         interval: float = 0.0, clock: Callable[[], float] = time.time,
         sleep: Callable[[float], None] = time.sleep) -> Reading:
    """The track's counters once `targets` targets of `service` are up and each was scraped at or
    after `since`. With `start`, at the end of a step: each of its pods scraped at least `interval`
    after its start reading (a new pod: after `since` + `interval`), so every pod's counts span the
    same whole number of its scrape intervals. An error naming the service after `timeout` seconds."""
    def wanted(pod: str) -> float:
        if start is None:
            return since
        # Less a little: scrape timestamps jitter by milliseconds, and a sample just short of the
        # mark would stretch that pod's window by a whole scrape interval.
        return start.scraped.get(pod, since) + max(0.0, interval - JITTER_SECONDS)

    deadline = clock() + timeout
    scraped = SCRAPED.format(service=service)
    try:
        while True:
            # Both queries at one instant, a second back, so they see the same scrapes.
            at = clock() - 1.0
            ups = {labels.get("pod", ""): ts for labels, ts in
                   prometheus_api.vector(base_url, f"timestamp({scraped}) and {scraped} == 1", at)}
            fresh = sum(ts >= wanted(pod) for pod, ts in ups.items())
            if len(ups) >= targets and fresh == len(ups):
                reading = parse(prometheus_api.vector(base_url, BUCKETS.format(service=service), at))
                return replace(reading, scraped=ups)
            if clock() > deadline:
                raise HarnessError(f"analysis of {service}: {fresh} of {targets} target(s) scraped in time after "
                                   f"{timeout:.0f} s (is Prometheus scraping it?)")
            sleep(POLL_SECONDS)
    except prometheus_api.PrometheusError as err:
        raise HarnessError(f"analysis of {service}: Prometheus: {err}") from None
