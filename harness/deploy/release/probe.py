"""Requests the release flow sends itself through the edge (the same TLS client and address as the
HTTP smoke checks): a fixed number to the preview host before a blue-green switch, and a steady
stream to the public host while the switch happens. Every answer is kept, summarized as the
traffic drills summarize theirs (traffic.summarize: requests, failures by kind, p50/p99)."""

from __future__ import annotations

import threading
import time
from typing import Callable

from ...live import httpprobe
from ...live.settings import HttpSettings
from ..traffic import UrlSummary, summarize

Fetch = Callable[[str, HttpSettings], httpprobe.Response]


def answer(url: str, settings: HttpSettings, fetch: Fetch | None = None) -> dict:
    """One request as a vegeta result: url, code (0 without an answer), latency in ns, error."""
    started = time.monotonic()
    try:
        code, error = (fetch or httpprobe.fetch)(url, settings).status, ""
    except httpprobe.ProbeError as err:
        code, error = 0, str(err)
    return {"url": url, "code": code, "latency": (time.monotonic() - started) * 1e9, "error": error}


def send(url: str, settings: HttpSettings, count: int, fetch: Fetch | None = None) -> UrlSummary:
    """`count` requests one after the other: the summary of their answers."""
    (summary,) = summarize([answer(url, settings, fetch) for _ in range(count)])
    return summary


class Stream:
    """`with Stream(url, settings, rate) as stream:` requests `rate` times a second (one at a time)
    while the block runs; stream.summary() after it."""

    def __init__(self, url: str, settings: HttpSettings, rate: float, fetch: Fetch | None = None) -> None:
        self.url, self.settings, self.pause, self.fetch = url, settings, 1.0 / rate, fetch
        self.results: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            self.results.append(answer(self.url, self.settings, self.fetch))
            due += self.pause
            self._stop.wait(max(0.0, due - time.monotonic()))

    def __enter__(self) -> "Stream":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> UrlSummary:
        return summarize(self.results)[0] if self.results else UrlSummary(self.url, 0, 0, 0.0, 0.0)
