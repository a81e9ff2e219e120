"""What every drill under traffic asserts about its stream: both public hosts were asked, not one
request failed, and vegeta kept its rate (a stalled stream would hide failures as requests never
sent)."""

from __future__ import annotations

from harness.deploy import drills
from harness.deploy.traffic import UrlSummary


def assert_nothing_failed(summaries: list[UrlSummary], rate: int, seconds: float) -> None:
    lines = "\n".join(s.line() for s in summaries)
    assert [s.url for s in summaries] == sorted(drills.URLS), lines
    assert all(s.failed == 0 for s in summaries), lines
    assert sum(s.requests for s in summaries) >= 0.8 * rate * seconds, lines
