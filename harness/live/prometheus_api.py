"""A running Prometheus' HTTP API: instant queries, its scrape targets, the rule groups it evaluates, the
alerts firing and the Alertmanagers it sends them to; the one write is a reload of its configuration.

Every call returns what Prometheus answered or raises `PrometheusError` with one sentence (the
server unreachable, an HTTP error, Prometheus' own error text for a query), so a check can turn
it into a finding naming the expression.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT = 10.0  # seconds per request; Prometheus answers the charts' queries in milliseconds


class PrometheusError(Exception):
    """Prometheus did not answer, or answered with an error."""


@dataclass(frozen=True)
class RuleState:
    group: str
    name: str  # alert or record name
    health: str  # ok, err, unknown
    error: str


@dataclass(frozen=True)
class ScrapeTarget:
    pool: str  # the scrape job as configured, e.g. serviceMonitor/acme/acme-api/0
    address: str  # host:port as service discovery found it, before relabelling
    labels: dict[str, str]  # the target's labels after relabelling (namespace, pod, job, ...)
    health: str  # up, down, unknown (not scraped yet)
    error: str


def _get(base_url: str, path: str, params: dict[str, str] | None = None, timeout: float = TIMEOUT) -> dict:
    url = f"{base_url.rstrip('/')}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as err:
        try:
            body = json.loads(err.read())
        except ValueError:
            raise PrometheusError(f"{url}: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise PrometheusError(f"{url}: {getattr(err, 'reason', err)}") from None
    except ValueError:
        raise PrometheusError(f"{url}: the answer is not JSON") from None
    if body.get("status") != "success":
        raise PrometheusError(f"{body.get('errorType', 'error')}: {body.get('error', 'no error text')}")
    return body.get("data") or {}


def series_count(base_url: str, expr: str) -> int:
    """How many series (or 1 for a scalar) an instant query of `expr` returns now."""
    data = _get(base_url, "/api/v1/query", {"query": expr})
    if data.get("resultType") in ("scalar", "string"):
        return 1
    return len(data.get("result") or [])


def value(base_url: str, expr: str) -> float | None:
    """The one number an aggregating instant query answers now; None when it answers no series
    (a sum over series that do not exist yet), an error when it answers several."""
    data = _get(base_url, "/api/v1/query", {"query": expr})
    result = data.get("result")
    if data.get("resultType") == "scalar":
        return float(result[1])
    if not result:
        return None
    if len(result) > 1:
        raise PrometheusError(f"{expr}: {len(result)} series where one number was expected")
    return float(result[0]["value"][1])


def targets(base_url: str) -> list[ScrapeTarget]:
    """Every active target (those relabelling kept), with the health of its last scrape."""
    data = _get(base_url, "/api/v1/targets", {"state": "active"})
    return [ScrapeTarget(t.get("scrapePool", ""), (t.get("discoveredLabels") or {}).get("__address__", ""),
                         t.get("labels") or {}, t.get("health", "unknown"), t.get("lastError", ""))
            for t in data.get("activeTargets") or []]


def rule_groups(base_url: str) -> dict[str, list[RuleState]]:
    """Every rule group Prometheus has loaded (an empty one too), by name, with its rules' evaluation health."""
    data = _get(base_url, "/api/v1/rules")
    groups: dict[str, list[RuleState]] = {}
    for group in data.get("groups") or []:
        name = group.get("name", "")
        groups.setdefault(name, []).extend(
            RuleState(name, rule.get("name", ""), rule.get("health", "unknown"), rule.get("lastError", ""))
            for rule in group.get("rules") or [])
    return groups


def vector(base_url: str, expr: str, at: float | None = None) -> list[tuple[dict[str, str], float]]:
    """Every series an instant query answers now (or at unix time `at`), as (labels, value);
    an empty list for none."""
    params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
    data = _get(base_url, "/api/v1/query", params)
    if data.get("resultType") != "vector":
        raise PrometheusError(f"{expr}: a {data.get('resultType', 'missing')} where a vector was expected")
    return [(r.get("metric") or {}, float(r["value"][1])) for r in data.get("result") or []]


def rule_states(base_url: str) -> list[RuleState]:
    """Every rule Prometheus has loaded, by group, with its evaluation health."""
    return [state for states in rule_groups(base_url).values() for state in states]


def firing(base_url: str) -> list[dict[str, str]]:
    """The labels of every alert firing now (pending ones wait out their `for`)."""
    data = _get(base_url, "/api/v1/alerts")
    return [a.get("labels") or {} for a in data.get("alerts") or [] if a.get("state") == "firing"]


def alertmanagers(base_url: str) -> list[str]:
    """The URLs of the Alertmanagers Prometheus sends its alerts to."""
    data = _get(base_url, "/api/v1/alertmanagers")
    return [a.get("url", "") for a in data.get("activeAlertmanagers") or []]


def reload(base_url: str) -> None:
    """Re-read the configuration and rule files (needs --web.enable-lifecycle); an error names why not."""
    url = f"{base_url.rstrip('/')}/-/reload"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=TIMEOUT).close()
    except urllib.error.HTTPError as err:
        raise PrometheusError(f"{url}: HTTP {err.code} {err.read().decode(errors='replace').strip()}") from None
    except (urllib.error.URLError, OSError) as err:
        raise PrometheusError(f"{url}: {getattr(err, 'reason', err)}") from None


def ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url.rstrip('/')}/-/ready", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False
