"""A Prometheus configuration from rendered ServiceMonitors, PodMonitors and PrometheusRules, as
prometheus-operator would write it, for a Prometheus that runs without the operator.

The semantics follow prometheus-operator's generator (pkg/prometheus/promcfg.go): one job per
monitor endpoint named `serviceMonitor/<ns>/<name>/<i>`, Kubernetes service discovery with role
`endpoints` (`pod` for PodMonitors) in the selected namespaces, `keep` relabelings for the label
selector and the port, the `namespace`/`service`/`pod`/`container`/`job`/`endpoint` target labels
and the monitor's own relabelings last. One Prometheus, so no sharding relabelings; no scrape
classes, no namespace-label enforcement. Fields the generator does not translate are refused by
name rather than dropped, and so is a monitor that could never produce a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...core.errors import HarnessError
from ...core.fields import get_or
from ...core.manifests import K8sObject, Manifests
from ...core.selectors import selector_matches

MONITOR_KINDS = ("ServiceMonitor", "PodMonitor")
# Endpoint fields translated one to one: monitor field -> scrape config key.
DIRECT = {"interval": "scrape_interval", "scrapeTimeout": "scrape_timeout", "path": "metrics_path",
          "params": "params", "scheme": "scheme", "followRedirects": "follow_redirects",
          "enableHttp2": "enable_http2"}
HANDLED_ENDPOINT = set(DIRECT) | {"port", "targetPort", "portNumber", "honorLabels", "honorTimestamps",
                                  "tlsConfig", "relabelings", "metricRelabelings", "filterRunning"}
HANDLED_SPEC = {"selector", "namespaceSelector", "endpoints", "podMetricsEndpoints", "jobLabel", "targetLabels",
                "podTargetLabels"}
TLS_FILES = {"caFile": "ca_file", "certFile": "cert_file", "keyFile": "key_file",
             "insecureSkipVerify": "insecure_skip_verify", "serverName": "server_name"}
RELABEL_KEYS = {"sourceLabels": "source_labels", "separator": "separator", "targetLabel": "target_label",
                "regex": "regex", "modulus": "modulus", "replacement": "replacement", "action": "action"}
INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def running_only() -> dict:
    """Targets of pods that have ended are dropped unless an endpoint sets filterRunning: false."""
    return {"action": "drop", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "(Failed|Succeeded)"}


def sanitize(name: str) -> str:
    """A Kubernetes label key as Prometheus' service discovery spells it in meta labels."""
    return INVALID_LABEL_CHARS.sub("_", name)


@dataclass
class Options:
    """What the Prometheus running the configuration adds around the scrape jobs."""

    scrape_interval: str = "30s"  # the operator's default when a monitor names none
    evaluation_interval: str = "30s"
    kubeconfig: str = ""  # a Prometheus outside the cluster reaches the API server through this file
    rule_files: list[str] = field(default_factory=list)
    alertmanagers: list[str] = field(default_factory=list)  # host:port of each Alertmanager


def _where(monitor: K8sObject) -> str:
    return f"{monitor.kind} {monitor.namespace}/{monitor.name}"


def _refuse_unknown(monitor: K8sObject, fields: dict, handled: set[str], path: str) -> None:
    unknown = sorted(set(fields) - handled)
    if unknown:
        raise HarnessError(f"{_where(monitor)}: {path}.{unknown[0]} is not translated by the scrape-config "
                           f"generator (it handles {', '.join(sorted(handled))})")


def _namespaces(monitor: K8sObject) -> list[str]:
    """[] means every namespace, as the operator reads namespaceSelector."""
    selector = get_or(monitor.spec, "namespaceSelector", {})
    if selector.get("any"):
        return []
    return list(selector.get("matchNames") or [monitor.namespace])


def _selector_relabelings(selector: dict, role: str) -> list[dict]:
    """The label selector as keep/drop relabelings on the selected object's meta labels."""
    label, present = f"__meta_kubernetes_{role}_label_", f"__meta_kubernetes_{role}_labelpresent_"
    rules = []
    for key in sorted(get_or(selector, "matchLabels", {})):
        rules.append({"action": "keep", "source_labels": [label + sanitize(key), present + sanitize(key)],
                      "regex": f"({selector['matchLabels'][key]});true"})
    for expression in get_or(selector, "matchExpressions", []):
        key, operator = sanitize(expression.get("key", "")), expression.get("operator")
        values = "|".join(expression.get("values") or [])
        if operator in ("In", "NotIn"):
            rules.append({"action": "keep" if operator == "In" else "drop", "source_labels": [label + key, present + key],
                          "regex": f"({values});true"})
        elif operator in ("Exists", "DoesNotExist"):
            rules.append({"action": "keep" if operator == "Exists" else "drop", "source_labels": [present + key],
                          "regex": "true"})
        else:
            raise HarnessError(f"selector operator {operator!r} for key {expression.get('key')!r} is not "
                               "In, NotIn, Exists or DoesNotExist")
    return rules


def _relabel_configs(monitor: K8sObject, configs: list, path: str) -> list[dict]:
    """The monitor's relabelings in Prometheus' spelling (the operator lowercases the action)."""
    out = []
    for index, config in enumerate(configs or []):
        _refuse_unknown(monitor, config, set(RELABEL_KEYS), f"{path}[{index}]")
        rule = {}
        for key, target in RELABEL_KEYS.items():
            if config.get(key) not in (None, "", []):
                rule[target] = config[key].lower() if key == "action" else config[key]
        out.append(rule)
    return out


def _tls(monitor: K8sObject, tls: dict, path: str) -> dict:
    _refuse_unknown(monitor, tls, set(TLS_FILES), path)
    return {TLS_FILES[key]: tls[key] for key in TLS_FILES if key in tls}


def _common(monitor: K8sObject, endpoint: dict, index: int, role: str, options: Options, path: str) -> dict:
    """job name, honor_* flags, service discovery, HTTP settings: the part both monitor kinds share."""
    prefix = "serviceMonitor" if monitor.kind == "ServiceMonitor" else "podMonitor"
    job: dict[str, Any] = {"job_name": f"{prefix}/{monitor.namespace}/{monitor.name}/{index}",
                           "honor_labels": bool(endpoint.get("honorLabels", False))}
    if "honorTimestamps" in endpoint:
        job["honor_timestamps"] = bool(endpoint["honorTimestamps"])
    discovery: dict[str, Any] = {"role": role}
    namespaces = _namespaces(monitor)
    if namespaces:
        discovery["namespaces"] = {"names": namespaces}
    if options.kubeconfig:
        discovery["kubeconfig_file"] = options.kubeconfig
    job["kubernetes_sd_configs"] = [discovery]
    for key, target in DIRECT.items():
        if endpoint.get(key) not in (None, ""):
            job[target] = endpoint[key]
    if endpoint.get("tlsConfig") is not None:
        job["tls_config"] = _tls(monitor, endpoint["tlsConfig"], f"{path}.tlsConfig")
    return job


def _service_job(monitor: K8sObject, endpoint: dict, index: int, options: Options) -> dict:
    path = f"spec.endpoints[{index}]"
    job = _common(monitor, endpoint, index, "endpoints", options, path)
    rules: list[dict] = [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}]
    rules += _selector_relabelings(get_or(monitor.spec, "selector", {}), "service")
    port, target_port = endpoint.get("port"), endpoint.get("targetPort")
    if port:
        rules.append({"action": "keep", "source_labels": ["__meta_kubernetes_endpoint_port_name"], "regex": port})
    elif isinstance(target_port, str) and target_port:
        rules.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": target_port})
    elif isinstance(target_port, int) and target_port:
        rules.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                      "regex": target_port})
    target = ["__meta_kubernetes_endpoint_address_target_kind", "__meta_kubernetes_endpoint_address_target_name"]
    rules += [
        {"source_labels": list(target), "separator": ";", "regex": "Node;(.*)", "replacement": "${1}", "target_label": "node"},
        {"source_labels": list(target), "separator": ";", "regex": "Pod;(.*)", "replacement": "${1}", "target_label": "pod"},
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
        {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
    ]
    if endpoint.get("filterRunning", True):
        rules.append(running_only())
    for label in get_or(monitor.spec, "targetLabels", []):
        rules.append({"source_labels": [f"__meta_kubernetes_service_label_{sanitize(label)}"],
                      "target_label": sanitize(label), "regex": "(.+)", "replacement": "${1}"})
    rules += _pod_target_labels(monitor)
    rules.append({"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job", "replacement": "${1}"})
    if monitor.spec.get("jobLabel"):
        rules.append({"source_labels": [f"__meta_kubernetes_service_label_{sanitize(monitor.spec['jobLabel'])}"],
                      "target_label": "job", "regex": "(.+)", "replacement": "${1}"})
    if port or target_port:
        rules.append({"target_label": "endpoint", "replacement": str(port or target_port)})
    rules += _relabel_configs(monitor, endpoint.get("relabelings"), f"{path}.relabelings")
    return _finish(monitor, job, rules, endpoint, path)


def _pod_job(monitor: K8sObject, endpoint: dict, index: int, options: Options) -> dict:
    path = f"spec.podMetricsEndpoints[{index}]"
    job = _common(monitor, endpoint, index, "pod", options, path)
    rules: list[dict] = [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}]
    if endpoint.get("filterRunning", True):  # for pods the operator filters before selecting
        rules.append(running_only())
    rules += _selector_relabelings(get_or(monitor.spec, "selector", {}), "pod")
    port, number = endpoint.get("port"), endpoint.get("portNumber")
    if port:
        rules.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": port})
    elif number:
        rules.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                      "regex": number})
    rules += [
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
    ]
    rules += _pod_target_labels(monitor)
    rules.append({"target_label": "job", "replacement": f"{monitor.namespace}/{monitor.name}"})
    if monitor.spec.get("jobLabel"):
        rules.append({"source_labels": [f"__meta_kubernetes_pod_label_{sanitize(monitor.spec['jobLabel'])}"],
                      "target_label": "job", "regex": "(.+)", "replacement": "${1}"})
    if port:
        rules.append({"target_label": "endpoint", "replacement": port})
    rules += _relabel_configs(monitor, endpoint.get("relabelings"), f"{path}.relabelings")
    return _finish(monitor, job, rules, endpoint, path)


def _pod_target_labels(monitor: K8sObject) -> list[dict]:
    return [{"source_labels": [f"__meta_kubernetes_pod_label_{sanitize(label)}"], "target_label": sanitize(label),
             "regex": "(.+)", "replacement": "${1}"} for label in get_or(monitor.spec, "podTargetLabels", [])]


def _finish(monitor: K8sObject, job: dict, rules: list[dict], endpoint: dict, path: str) -> dict:
    job["relabel_configs"] = rules
    metric_rules = _relabel_configs(monitor, endpoint.get("metricRelabelings"), f"{path}.metricRelabelings")
    if metric_rules:
        job["metric_relabel_configs"] = metric_rules
    return job


def _check_targets(monitor: K8sObject, manifests: Manifests, endpoints: list, path: str) -> None:
    """Bad input the operator would accept silently: a monitor that can never yield a target."""
    namespaces = _namespaces(monitor)
    role_kind = "Service" if monitor.kind == "ServiceMonitor" else "pod template"
    selector = get_or(monitor.spec, "selector", {})
    if monitor.kind == "ServiceMonitor":
        candidates = [(s, [p.get("name") for p in get_or(s.spec, "ports", [])]) for s in manifests.of_kind("Service")
                      if (not namespaces or s.namespace in namespaces) and selector_matches(selector, s.labels)]
    else:
        candidates = [(t.owner, [p.get("name") for c, _ in t.containers(include_init=False) for p in get_or(c, "ports", [])])
                      for t in manifests.pod_templates()
                      if (not namespaces or t.owner.namespace in namespaces) and selector_matches(selector, t.labels)]
    if not candidates:
        raise HarnessError(f"{_where(monitor)}: spec.selector selects no rendered {role_kind}"
                           f"{' in ' + ', '.join(namespaces) if namespaces else ''}")
    for index, endpoint in enumerate(endpoints):
        port = endpoint.get("port")
        if port and not any(port in ports for _, ports in candidates):
            names = ", ".join(f"{obj.kind} {obj.namespace}/{obj.name}" for obj, _ in candidates)
            known = sorted({p for _, ports in candidates for p in ports if p})
            raise HarnessError(f"{_where(monitor)}: {path}[{index}].port {port!r} is not a port of {names} "
                               f"(its ports: {', '.join(known) or 'none'})")


def scrape_jobs(manifests: Manifests, options: Options) -> list[dict]:
    """One scrape job per endpoint of every monitor, ServiceMonitors first, each kind by namespace/name."""
    jobs = []
    for kind in MONITOR_KINDS:
        # The operator keys monitors by "namespace/name" and writes them in that string order.
        for monitor in sorted(manifests.of_kind(kind), key=lambda m: f"{m.namespace}/{m.name}"):
            key = "endpoints" if kind == "ServiceMonitor" else "podMetricsEndpoints"
            _refuse_unknown(monitor, monitor.spec, HANDLED_SPEC, "spec")
            endpoints = get_or(monitor.spec, key, [])
            if not endpoints:
                raise HarnessError(f"{_where(monitor)}: spec.{key} is empty; a monitor without endpoints scrapes nothing")
            _check_targets(monitor, manifests, endpoints, f"spec.{key}")
            for index, endpoint in enumerate(endpoints):
                _refuse_unknown(monitor, endpoint, HANDLED_ENDPOINT, f"spec.{key}[{index}]")
                build = _service_job if kind == "ServiceMonitor" else _pod_job
                jobs.append(build(monitor, endpoint, index, options))
    return jobs


def rule_file(rule: K8sObject) -> dict:
    """A PrometheusRule's groups as the rule file the operator mounts for it."""
    groups = get_or(rule.spec, "groups", [])
    if not groups:
        raise HarnessError(f"PrometheusRule {rule.namespace}/{rule.name}: spec.groups is empty")
    return {"groups": groups}


def rule_files(manifests: Manifests) -> dict[str, dict]:
    """file name -> content, `<namespace>-<name>.yaml` for every PrometheusRule."""
    return {f"{r.namespace}-{r.name}.yaml": rule_file(r)
            for r in sorted(manifests.of_kind("PrometheusRule"), key=lambda r: (r.namespace, r.name))}


def configuration(manifests: Manifests, options: Options) -> dict:
    """The whole prometheus.yml: global intervals, rule files, Alertmanagers, scrape jobs."""
    config: dict[str, Any] = {"global": {"scrape_interval": options.scrape_interval,
                                         "evaluation_interval": options.evaluation_interval}}
    if options.rule_files:
        config["rule_files"] = list(options.rule_files)
    if options.alertmanagers:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": list(options.alertmanagers)}]}]}
    config["scrape_configs"] = scrape_jobs(manifests, options)
    return config
