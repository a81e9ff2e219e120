"""Observability after a deploy, asked of the environment's own backends: every target the released
monitors select is scraped and up, every released rule group is loaded and evaluating, a
synthetic alert reaches the Alertmanager receiver (Prometheus), and a request sent through the edge
leaves its log line, with its pod's labels, in the log store. Where the harness reaches no such
backend (or no receiver, or no data plane) they SKIP (never PASS)."""

from __future__ import annotations

import contextlib
from typing import Any, Iterable

from ...core.fields import get_or
from ...core.manifests import ObjectRef
from ...core.selectors import selector_matches
from ...live import alerting, httpprobe, logs_api, prometheus_api
from ...live.httpprobe import ProbeError
from ...live.logs_api import LogsError
from ...live.prometheus_api import PrometheusError
from ...live.releases import deployed_manifests
from ...live.settings import ObservabilitySettings, SmokeSettings
from ...live.snapshot import Obj, Snapshot
from ..registry import Check, CheckSkipped, Finding, smoke_check
from .http import api_hosts

# How prometheus-operator names a monitor's scrape pools (`<prefix>/<ns>/<name>/<endpoint index>`),
# and where each kind lists its endpoints.
POOLS = {"ServiceMonitor": ("serviceMonitor", "endpoints"), "PodMonitor": ("podMonitor", "podMetricsEndpoints")}


def _prometheus(settings: SmokeSettings) -> str:
    url = settings.observability.prometheus_url
    if not url:
        raise CheckSkipped("no Prometheus the harness reaches in this environment")
    return url


# The objects of findings about the backends themselves; the message names the URL or address.
PROMETHEUS = ObjectRef("Prometheus", "", "api")
RECEIVER = ObjectRef("Alertmanager", "", "receiver")
STORE, SHIPPER = ObjectRef("LogStore", "", "api"), ObjectRef("LogShipper", "", "agent")


def _unreachable(check: Check, err: PrometheusError) -> Finding:
    return check.finding(PROMETHEUS, "", str(err))


def _released(snap: Snapshot, *kinds: str) -> list[Obj]:
    """The released objects of these kinds, each with its namespace (templates may leave it to Helm)."""
    docs = [d for d in deployed_manifests(snap.release_secrets) if d.get("kind") in kinds]
    for doc in docs:
        doc["metadata"].setdefault("namespace", snap.namespace)
    if not docs:
        raise CheckSkipped(f"no {' or '.join(kinds)} released")
    return docs


def _watches(monitor: Obj, namespace: str) -> bool:
    """Whether the monitor's namespaceSelector takes in the snapshot's namespace (the operator's reading)."""
    selector = get_or(monitor.get("spec"), "namespaceSelector", {})
    return bool(selector.get("any")) or namespace in (selector.get("matchNames") or [monitor["metadata"]["namespace"]])


def _ready(pod: Obj) -> bool:
    conditions = get_or(pod.get("status"), "conditions", [])
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _container_ports(pod: Obj | None, name: str | None = None) -> list[int]:
    """The pod's container ports (the one named `name` when given)."""
    return [port.get("containerPort") for container in get_or(get_or(pod, "spec"), "containers", [])
            for port in get_or(container, "ports", []) if name is None or port.get("name") == name]


def _service_targets(snap: Snapshot, monitor: Obj, endpoint: dict[str, Any]) -> dict[str, str]:
    """address -> pod of every ready endpoint of the Services the monitor selects, on the endpoint's port
    (`port` names a Service port; `targetPort` a number or a container port's name; neither: every port)."""
    wanted: dict[str, str] = {}
    selector = get_or(monitor.get("spec"), "selector", {})
    services = {s["metadata"]["name"] for s in snap.services
                if selector_matches(selector, get_or(s["metadata"], "labels", {}))}
    for slice_ in snap.endpoint_slices:
        if get_or(slice_["metadata"], "labels", {}).get("kubernetes.io/service-name") not in services:
            continue
        for found in get_or(slice_, "endpoints", []):
            if get_or(found, "conditions", {}).get("ready") is False:  # unset means ready
                continue
            pod = get_or(found, "targetRef", {}).get("name")
            for port in _ports(snap, endpoint, get_or(slice_, "ports", []), pod):
                for address in get_or(found, "addresses", []):
                    wanted[f"{address}:{port}"] = pod or address
    return wanted


def _ports(snap: Snapshot, endpoint: dict[str, Any], ports: list[dict[str, Any]], pod: str | None) -> list[int]:
    if "port" in endpoint:
        return [p["port"] for p in ports if p.get("name") == endpoint["port"]]
    if "targetPort" not in endpoint:
        return [p["port"] for p in ports]
    target = endpoint["targetPort"]
    if isinstance(target, str):
        target = next(iter(_container_ports(snap.named(snap.pods, pod), target)), None)
    return [p["port"] for p in ports if p.get("port") == target]


def _pod_targets(snap: Snapshot, monitor: Obj, endpoint: dict[str, Any]) -> dict[str, str]:
    """address -> pod of every ready pod the PodMonitor selects, on the endpoint's container port (every
    container port when it names none)."""
    selector = get_or(monitor.get("spec"), "selector", {})
    wanted: dict[str, str] = {}
    for pod in snap.pods:
        ip = get_or(pod.get("status"), "podIP")
        if ip and _ready(pod) and selector_matches(selector, get_or(pod["metadata"], "labels", {})):
            for port in _container_ports(pod, endpoint.get("port")):
                wanted[f"{ip}:{port}"] = pod["metadata"]["name"]
    return wanted


def _target_findings(check: Check, snap: Snapshot, pool: str, wanted: dict[str, str],
                     found: dict[str, prometheus_api.ScrapeTarget]) -> Iterable[Finding]:
    for address, pod in sorted(wanted.items()):
        where = {"metadata": {"name": pod, "namespace": snap.namespace}}
        target = found.get(address)
        if target is None:
            yield check.finding(where, "target", f"{address} is not a target of {pool}", "Pod")
        elif target.health == "down":
            yield check.finding(where, "target", f"{address} of {pool} is down: {target.error}", "Pod")
        elif target.health != "up":
            yield check.finding(where, "target", f"{address} of {pool} not scraped yet", "Pod")


def scraped(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    url = _prometheus(settings)
    monitors = _released(snap, *POOLS)
    try:
        targets = prometheus_api.targets(url)
    except PrometheusError as err:
        yield _unreachable(check, err)
        return
    by_pool: dict[str, dict[str, prometheus_api.ScrapeTarget]] = {}
    for target in targets:
        by_pool.setdefault(target.pool, {})[target.address] = target
    for monitor in monitors:
        if not _watches(monitor, snap.namespace):
            continue
        prefix, endpoints = POOLS[monitor["kind"]]
        meta = monitor["metadata"]
        for i, endpoint in enumerate(get_or(monitor.get("spec"), endpoints, [])):
            pool, field = f"{prefix}/{meta['namespace']}/{meta['name']}/{i}", f"spec.{endpoints}[{i}]"
            select = _service_targets if monitor["kind"] == "ServiceMonitor" else _pod_targets
            wanted = select(snap, monitor, endpoint)
            if pool not in by_pool:
                yield check.finding(monitor, field, f"Prometheus has no scrape pool {pool}")
            elif not wanted:
                yield check.finding(monitor, field, "selects no ready endpoint, so nothing is scraped")
            else:
                yield from _target_findings(check, snap, pool, wanted, by_pool[pool])



smoke_check("observability.scraped",
            "every ready endpoint the released ServiceMonitors and PodMonitors select is a Prometheus target that is up",
            scraped)


def rules_loaded(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    url = _prometheus(settings)
    released = _released(snap, "PrometheusRule")
    try:
        groups = prometheus_api.rule_groups(url)
    except PrometheusError as err:
        yield _unreachable(check, err)
        return
    loaded: dict[str, dict[str, list[prometheus_api.RuleState]]] = {name: {} for name in groups}
    for name, states in groups.items():
        for state in states:
            loaded[name].setdefault(state.name, []).append(state)
    for rules in released:
        for g, group in enumerate(get_or(rules.get("spec"), "groups", [])):
            name = group.get("name")
            if name not in loaded:
                yield check.finding(rules, f"spec.groups[{g}]", f"group {name} is not loaded in Prometheus")
                continue
            for r, rule in enumerate(get_or(group, "rules", [])):
                rule_name = rule.get("alert") or rule.get("record")
                yield from _rule_findings(check, rules, f"spec.groups[{g}].rules[{r}]", name, rule_name,
                                          loaded[name].get(rule_name))


def _rule_findings(check: Check, rules: Obj, field: str, group: str, name: str,
                   states: list[prometheus_api.RuleState] | None) -> Iterable[Finding]:
    if not states:
        yield check.finding(rules, field, f"{name} is not loaded in group {group}")
    elif failing := next((s for s in states if s.health == "err"), None):
        yield check.finding(rules, field, f"{name} fails to evaluate: {failing.error}")
    elif any(s.health != "ok" for s in states):
        yield check.finding(rules, field, f"{name} not evaluated yet")


smoke_check("observability.rules-loaded",
            "every rule group of the released PrometheusRules is loaded in Prometheus, each rule evaluated without error",
            rules_loaded)


def alert_delivered(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    url, found = _prometheus(settings), settings.observability
    if not found.synthetic_rules_dir or not found.receiver_address:
        raise CheckSkipped("no Alertmanager receiver the harness reads in this environment")
    trigger = alerting.new_trigger()
    try:
        receiver = alerting.Receiver(found.receiver_address)
    except OSError as err:
        yield check.finding(RECEIVER, "", f"cannot listen on {found.receiver_address}: {err.strerror or err}")
        return
    with receiver:
        try:
            rule = alerting.install(found.synthetic_rules_dir, trigger)
        except OSError as err:
            yield check.finding(PROMETHEUS, "rule_files", f"cannot write the synthetic rule into "
                                f"{found.synthetic_rules_dir}: {err.strerror or err}")
            return
        try:
            prometheus_api.reload(url)
            if receiver.wait_for(trigger, found.alert_deadline_seconds) is None:
                yield from _undelivered(check, url, trigger, found)
        except PrometheusError as err:
            yield _unreachable(check, err)
        finally:
            with contextlib.suppress(FileNotFoundError):
                rule.unlink()
            with contextlib.suppress(PrometheusError):
                prometheus_api.reload(url)


def _undelivered(check: Check, url: str, trigger: str, found: ObservabilitySettings) -> Iterable[Finding]:
    """Where the synthetic alert stopped: not loaded, not firing, no Alertmanager, or not delivered."""
    within = f"within {found.alert_deadline_seconds:g} s"
    states = prometheus_api.rule_groups(url).get(alerting.group_name(trigger))
    if states is None:
        yield check.finding(PROMETHEUS, "rule_files", "the synthetic rule is not loaded after a reload: its rule "
                                                      "files do not name the synthetic rules directory")
    elif failing := next((s for s in states if s.health == "err"), None):
        yield check.finding(PROMETHEUS, "rule_files", f"the synthetic rule fails to evaluate: {failing.error}")
    elif not any(a.get("trigger") == trigger for a in prometheus_api.firing(url)):
        yield check.finding(PROMETHEUS, "rule_files", f"{alerting.ALERT} did not fire {within}")
    elif not (managers := prometheus_api.alertmanagers(url)):
        yield check.finding(PROMETHEUS, "alerting.alertmanagers", "Prometheus sends its alerts to no Alertmanager")
    else:
        yield check.finding(RECEIVER, "", f"{alerting.ALERT} fired and went to {', '.join(managers)}, but did not "
                                          f"reach the receiver at {found.receiver_address} {within}")


smoke_check("observability.alert-delivered",
            "a synthetic rule the check installs fires, and Alertmanager delivers its alert to the harness's receiver",
            alert_delivered)


def logs_shipped(snap: Snapshot, settings: SmokeSettings, check: Check) -> Iterable[Finding]:
    found = settings.observability
    if not found.logs_url:
        raise CheckSkipped("no log store the harness reaches in this environment")
    if not settings.data_plane:
        raise CheckSkipped("no data plane, so no request reaches the API")
    host = api_hosts(snap, settings)[0]
    url, request_id = f"https://{host}{settings.http.api_health_path}", logs_api.new_request_id()
    where = {"metadata": {"name": host}}
    try:
        answer = httpprobe.fetch(url, settings.http, {logs_api.REQUEST_HEADER: request_id})
    except ProbeError as err:
        yield check.finding(where, "", f"the request to log could not be sent: {err}", "Host")
        return
    if answer.headers.get(logs_api.REQUEST_HEADER.lower()) != request_id:
        yield check.finding(where, "", f"{url} answered {answer.status} without echoing {logs_api.REQUEST_HEADER}, so the API "
                                       f"never saw the request ({logs_api.REQUEST_FIELD} {request_id})", "Host")
        return
    try:
        line = logs_api.wait_for_line(found.logs_url, request_id, found.log_deadline_seconds)
        if line is None:
            yield from _unshipped(check, snap, found, found.logs_url, request_id)
        else:
            yield from _unlabelled(check, snap, line, request_id)
    except LogsError as err:
        yield check.finding(STORE, "", f"the log store is unreachable: {err}")


def _unshipped(check: Check, snap: Snapshot, found: ObservabilitySettings, url: str,
               request_id: str) -> Iterable[Finding]:
    """Where the line stopped: the shipper not running, or running but not shipping the namespace."""
    if found.log_shipper_url:
        try:
            logs_api.healthy(found.log_shipper_url)
        except LogsError as err:
            yield check.finding(SHIPPER, "", f"the log shipper is not running: {err}")
            return
    ours = logs_api.query(url, logs_api.exact(logs_api.NAMESPACE_FIELD, snap.namespace))
    also = "" if ours else f"; the store holds no line of namespace {snap.namespace} at all"
    yield check.finding(STORE, "", f"no line of the request in the log store within {found.log_deadline_seconds:g} s"
                                   f"{also} ({logs_api.REQUEST_FIELD} {request_id})")


def _unlabelled(check: Check, snap: Snapshot, line: dict[str, Any], request_id: str) -> Iterable[Finding]:
    """The line must name the namespace and a pod of the snapshot, and carry every label of that pod."""
    namespace, name = line.get(logs_api.NAMESPACE_FIELD), line.get(logs_api.POD_FIELD)
    pod = snap.named(snap.pods, name) if namespace == snap.namespace else None
    if pod is None:
        yield check.finding(STORE, logs_api.POD_FIELD, f"the line names pod {namespace}/{name}, not a pod of "
                                                       f"namespace {snap.namespace} ({logs_api.REQUEST_FIELD} {request_id})")
        return
    labels = get_or(pod["metadata"], "labels", {})
    missing = sorted(f"{k}={v}" for k, v in labels.items() if line.get(logs_api.LABEL_PREFIX + k) != v)
    if missing:
        yield check.finding(pod, "metadata.labels", f"the line lacks the pod's labels {', '.join(missing)} "
                                                    f"({logs_api.REQUEST_FIELD} {request_id})", "Pod")


smoke_check("observability.logs-shipped",
            "a request sent through the edge with a fresh X-Request-Id leaves its API log line, with the pod's labels, "
            "in the log store",
            logs_shipped)
