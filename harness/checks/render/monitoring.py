"""Monitoring objects: alerts carry what on-call needs, monitors scrape something that exists."""

from __future__ import annotations

from urllib.parse import urlsplit

from ...core.selectors import selector_matches
from ..registry import Needs, check

SEVERITIES = ("critical", "warning", "info")  # what Alertmanager routes on


def alerting_rules(rule_object):
    """(rule, field path) of every alerting rule in a PrometheusRule; recording rules are skipped."""
    for g, group in enumerate(rule_object.spec.get("groups") or []):
        for r, rule in enumerate(group.get("rules") or []):
            if isinstance(rule, dict) and "alert" in rule:
                yield rule, f"spec.groups[{g}].rules[{r}]"


def alert_metadata(scenario, check):
    for rules in scenario.manifests.of_kind("PrometheusRule"):
        for rule, path in alerting_rules(rules):
            name = rule["alert"]
            severity = (rule.get("labels") or {}).get("severity")
            if severity not in SEVERITIES:
                yield check.finding(rules, f"{path}.labels.severity",
                                    f"alert {name}: severity {severity!r}, want one of {', '.join(SEVERITIES)}")
            runbook = str((rule.get("annotations") or {}).get("runbook_url", ""))
            parts = urlsplit(runbook)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                yield check.finding(rules, f"{path}.annotations.runbook_url",
                                    f"alert {name}: runbook_url {runbook!r} is not an absolute http(s) URL")


check("monitoring.alert-metadata",
      "every alert has a severity label (critical, warning, info) and an absolute runbook_url annotation",
       alert_metadata)


def monitored_namespaces(monitor) -> set[str] | None:
    """Namespaces a ServiceMonitor looks in; None means any."""
    selector = monitor.spec.get("namespaceSelector") or {}
    if selector.get("any"):
        return None
    return set(selector.get("matchNames") or [monitor.namespace])


def monitor_target(scenario, check):
    # Environment-wide: the API's Service comes from another release than its monitor.
    for monitor in scenario.manifests.of_kind("ServiceMonitor"):
        namespaces = monitored_namespaces(monitor)
        services = [s for s in scenario.lookup.of_kind("Service")
                    if (namespaces is None or s.namespace in namespaces)
                    and selector_matches(monitor.spec.get("selector") or {}, s.labels)]
        if not services:
            yield check.finding(monitor, "spec.selector", "selects no rendered Service")
            continue
        for index, endpoint in enumerate(monitor.spec.get("endpoints") or []):
            port = endpoint.get("port")
            if port and not any(p.get("name") == port for s in services for p in s.spec.get("ports") or []):
                yield check.finding(monitor, f"spec.endpoints[{index}].port",
                                    f"no selected Service has a port named {port!r}")


check("monitoring.monitor-target", "each ServiceMonitor selects a rendered Service that has the port it scrapes",
      monitor_target, needs=Needs.ENVIRONMENT)
