"""A running VictoriaLogs' HTTP API (LogsQL queries) and the health endpoint its shipper serves.

Every call returns what the server answered or raises `LogsError` with one sentence (the server
unreachable, an HTTP error with VictoriaLogs' own error text), so a check can turn it into a
finding naming where the line stopped.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

TIMEOUT = 5.0  # seconds per request; a query over minutes of local logs answers in milliseconds
POLL_SECONDS = 0.5  # the shipper sends a batch every second: polling faster only adds load
REQUEST_HEADER = "X-Request-Id"  # the stand-in API logs it and answers with it
REQUEST_FIELD = "request_id"  # the field of the API's JSON request log that carries it
# The fields the shipper adds to each line from the pod it came from (its Kubernetes collector).
NAMESPACE_FIELD, POD_FIELD, LABEL_PREFIX = "kubernetes.pod_namespace", "kubernetes.pod_name", "kubernetes.pod_labels."


class LogsError(Exception):
    """The log store (or the shipper) did not answer, or answered with an error."""


def new_request_id() -> str:
    """An id no earlier request carried, in the token form the API accepts from X-Request-Id."""
    return f"smoke-{uuid.uuid4().hex}"


def _get(url: str, timeout: float = TIMEOUT) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        text = err.read().decode(errors="replace").strip().splitlines()
        raise LogsError(f"{url}: HTTP {err.code}" + (f": {text[0]}" if text else "")) from None
    except (urllib.error.URLError, OSError) as err:
        raise LogsError(f"{url}: {getattr(err, 'reason', err)}") from None


def query(base_url: str, logsql: str, limit: int = 10) -> list[dict[str, Any]]:
    """The lines a LogsQL query selects, each a dict of its fields."""
    params = urllib.parse.urlencode({"query": logsql, "limit": str(limit)})
    body = _get(f"{base_url.rstrip('/')}/select/logsql/query?{params}")
    try:
        return [json.loads(line) for line in body.splitlines() if line.strip()]
    except ValueError:
        raise LogsError(f"{base_url}: the answer to {logsql!r} is not JSON lines") from None


def exact(field: str, value: str) -> str:
    """A LogsQL filter for lines whose `field` is exactly `value`."""
    return f"{json.dumps(field)}:={json.dumps(value)}"


def wait_for_line(base_url: str, request_id: str, deadline: float) -> dict[str, Any] | None:
    """The first line carrying this request id, polled for until `deadline` seconds have passed."""
    ends = time.monotonic() + deadline
    while True:
        lines = query(base_url, exact(REQUEST_FIELD, request_id), limit=1)
        if lines:
            return lines[0]
        if time.monotonic() >= ends:
            return None
        time.sleep(POLL_SECONDS)


def healthy(base_url: str) -> None:
    """Returns when the server's /health answers OK, else raises LogsError saying what it met."""
    body = _get(f"{base_url.rstrip('/')}/health", timeout=2.0)
    if body.strip() != b"OK":
        raise LogsError(f"{base_url}/health answered {body[:80]!r}, not OK")
