"""A track's exact counts between two readings of its counters: per pod differences, new and
restarted pods from zero, p99 as Prometheus' histogram_quantile, and a reading that waits for
every target's scrape after its mark."""

from __future__ import annotations

import math

import pytest

from harness.core.errors import HarnessError
from harness.deploy.release import counters
from harness.live import prometheus_api

INF = math.inf


def _series(pod: str, code: str, buckets: dict[float, float]) -> list[tuple[dict[str, str], float]]:
    return [({"pod": pod, "le": "+Inf" if le == INF else str(le), "http_response_status_code": code}, n)
            for le, n in buckets.items()]


def test_parse_sums_the_status_codes_of_a_pod_and_counts_5xx_as_errors() -> None:
    reading = counters.parse(_series("a", "200", {0.01: 8, 0.1: 9, INF: 10}) + _series("a", "500", {0.01: 2, 0.1: 2, INF: 2})
                             + _series("a", "404", {0.01: 1, 0.1: 1, INF: 1}))
    assert reading.buckets == {"a": {0.01: 11, 0.1: 12, INF: 13}}
    assert reading.errors == {"a": 2}


def test_between_takes_differences_per_pod_and_counts_new_and_restarted_pods_from_zero() -> None:
    start = counters.Reading({"old": {0.1: 90, INF: 100}, "restarted": {0.1: 50, INF: 50}},
                             {"old": 5, "restarted": 4})
    end = counters.Reading({"old": {0.1: 130, INF: 150}, "restarted": {0.1: 10, INF: 10}, "new": {0.1: 20, INF: 20}},
                           {"old": 8, "restarted": 1, "new": 0})
    got = counters.between(start, end)
    # old: 50 requests, 3 errors; restarted (its counter fell): 10 and 1; new: 20 and 0
    assert (got.requests, got.errors) == (80, 4)
    # 70 of 80 at or below 100 ms, so the p99 (rank 79.2) falls in (0.1, +Inf]: the highest finite bound
    assert got.p99_seconds == 0.1


def test_no_request_is_no_latency() -> None:
    empty = counters.Reading({}, {})
    got = counters.between(empty, empty)
    assert (got.requests, got.errors, math.isnan(got.p99_seconds)) == (0, 0, True)


@pytest.mark.parametrize(("buckets", "expected"), [
    ({0.005: 50, 0.01: 100, INF: 100}, 0.005 + 0.005 * (99 - 50) / 50),   # inside the second bucket
    ({0.005: 100, 0.01: 100, INF: 100}, 0.005 * 99 / 100),                 # the first bucket starts at 0
    ({0.005: 0, 0.01: 0, INF: 10}, 0.01),                                   # all above: the highest bound
    ({0.005: 0, INF: 0}, "nan"),                                            # no requests
    ({INF: 10}, "nan"),                                                     # one bucket cannot be interpolated
])
def test_quantile_as_prometheus(buckets: dict[float, float], expected) -> None:
    got = counters.quantile(0.99, buckets)
    assert math.isnan(got) if expected == "nan" else got == pytest.approx(expected)


class _Prometheus:
    """Answers the two queries of a reading: scrape timestamps per pod, then the buckets."""

    def __init__(self, scrapes: list[dict[str, float]], buckets: list) -> None:
        self.scrapes, self.buckets, self.asked = list(scrapes), buckets, []

    def vector(self, url: str, expr: str, at: float | None = None):
        self.asked.append((expr.split("(", 1)[0], at))
        if expr.startswith("timestamp("):
            ups = self.scrapes.pop(0) if len(self.scrapes) > 1 else self.scrapes[0]
            return [({"pod": pod}, ts) for pod, ts in ups.items()]
        return self.buckets


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_reading_waits_until_every_target_was_scraped_after_its_mark(monkeypatch) -> None:
    prom = _Prometheus([{"a": 995.0}, {"a": 1001.0}, {"a": 1001.0, "b": 1002.0}],
                       _series("a", "200", {0.1: 3, INF: 3}))
    monkeypatch.setattr(prometheus_api, "vector", prom.vector)
    clock = _Clock()
    got = counters.read("http://p", "acme-api", 2, since=1000.0, timeout=10, clock=clock, sleep=clock.sleep)
    assert got.scraped == {"a": 1001.0, "b": 1002.0} and got.buckets == {"a": {0.1: 3, INF: 3}}
    assert clock.now == 1001.0  # two polls of half a second
    assert prom.asked[-1] == ("sum by ", 1000.0)  # the buckets at the instant the timestamps were read


def test_the_end_reading_waits_an_interval_after_each_pods_own_start_sample(monkeypatch) -> None:
    start = counters.Reading({}, {}, scraped={"a": 1003.0})
    prom = _Prometheus([{"a": 1008.0}, {"a": 1013.0}], [])
    monkeypatch.setattr(prometheus_api, "vector", prom.vector)
    clock = _Clock()
    got = counters.read("http://p", "acme-api", 1, since=1000.0, timeout=10, start=start, interval=10,
                        clock=clock, sleep=clock.sleep)
    assert got.scraped == {"a": 1013.0}  # 1008 is only 5 s after a's start sample


def test_a_scrape_a_few_milliseconds_early_still_closes_the_window(monkeypatch) -> None:
    start = counters.Reading({}, {}, scraped={"a": 1003.004})
    monkeypatch.setattr(prometheus_api, "vector", _Prometheus([{"a": 1013.001}, {"a": 1023.0}], []).vector)
    clock = _Clock()
    got = counters.read("http://p", "acme-api", 1, since=1000.0, timeout=10, start=start, interval=10,
                        clock=clock, sleep=clock.sleep)
    assert got.scraped == {"a": 1013.001}


def test_a_target_never_scraped_in_time_is_one_sentence(monkeypatch) -> None:
    prom = _Prometheus([{"a": 990.0}], [])
    monkeypatch.setattr(prometheus_api, "vector", prom.vector)
    clock = _Clock()
    with pytest.raises(HarnessError, match=r"^analysis of acme-api-canary: 0 of 1 target\(s\) scraped in time after "
                                           r"3 s \(is Prometheus scraping it\?\)$"):
        counters.read("http://p", "acme-api-canary", 1, since=1000.0, timeout=3, clock=clock, sleep=clock.sleep)


def test_prometheus_errors_name_the_track(monkeypatch) -> None:
    def broken(url: str, expr: str, at: float | None = None):
        raise prometheus_api.PrometheusError("bad_data: parse error")

    monkeypatch.setattr(prometheus_api, "vector", broken)
    with pytest.raises(HarnessError, match=r"^analysis of acme-api: Prometheus: bad_data: parse error$"):
        counters.read("http://p", "acme-api", 1, since=0, timeout=1)


def test_the_selector_reads_the_tracks_own_service_without_probes() -> None:
    assert counters.BUCKETS.format(service="acme-api-canary") == (
        'sum by (pod, le, http_response_status_code) (http_server_request_duration_seconds_bucket'
        '{service="acme-api-canary",http_route!~"/healthz/.*"})')
