"""The traffic summary: what counts as failed, the percentiles, and the edge mapping vegeta gets."""

from __future__ import annotations

from pathlib import Path

from harness.core.project import Project
from harness.deploy.traffic import Traffic, summarize

UI, API = "https://www.acme.com/", "https://api.acme.com/v1/items"


def _result(url: str, code: int, ms: float, error: str = "") -> dict:
    return {"url": url, "code": code, "latency": int(ms * 1e6), "error": error}


def test_only_2xx_and_3xx_are_served_and_each_failure_is_named() -> None:
    results = [_result(UI, 200, 1), _result(UI, 301, 2), _result(UI, 502, 3), _result(UI, 404, 4),
               _result(UI, 0, 5000, 'Get "https://www.acme.com/": context deadline exceeded (Client.Timeout)'),
               _result(UI, 0, 1, "dial tcp 10.250.1.2:443: connect: connection refused")]
    [ui] = summarize(results)
    assert (ui.requests, ui.failed) == (6, 4)
    assert dict(ui.failures) == {"502": 1, "404": 1, "timeout": 1, "connection refused": 1}
    assert "6 requests, 4 failed (1x 502, 1x 404, 1x timeout, 1x connection refused)" in ui.line()


def test_percentiles_per_url() -> None:
    results = [_result(API, 200, ms) for ms in range(1, 101)] + [_result(UI, 200, 7)]
    api, ui = summarize(results)
    assert api.url == API and (api.p50_ms, api.p99_ms) == (51.0, 100.0)
    assert ui.url == UI and (ui.p50_ms, ui.p99_ms, ui.failed) == (7.0, 7.0, 0)


def test_every_public_host_is_sent_to_the_edge_address() -> None:
    traffic = Traffic(Project(Path(__file__).resolve().parents[2]), [UI, API, "http://www.acme.com/"], 10,
                      Path("/nonexistent"), edge_address="10.250.1.2")
    assert traffic._connect_to() == ["api.acme.com:443:10.250.1.2:443", "www.acme.com:80:10.250.1.2:80",
                                     "www.acme.com:443:10.250.1.2:443"]
