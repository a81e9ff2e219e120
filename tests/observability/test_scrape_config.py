"""The Prometheus configuration generated from the charts' ServiceMonitors, PodMonitors and rules:
exactly what prometheus-operator's generator writes for these objects, valid for the pinned
promtool, and one sentence naming the field for a monitor that cannot work."""

from __future__ import annotations

import copy

import pytest
import yaml

from harness.core.errors import HarnessError
from harness.core.manifests import Manifests
from harness.deploy.observability import prometheus_files
from harness.cli import main
from harness.deploy.observability.scrape_config import Options, configuration, scrape_jobs
from pinned_tools import pinned_tool
from rendered import find, render

TARGET_META = ["__meta_kubernetes_endpoint_address_target_kind", "__meta_kubernetes_endpoint_address_target_name"]


def service_job(name: str, component: str, port: str, honor_labels: bool) -> dict:
    """What the operator writes for one of the chart's ServiceMonitors (namespace acme, one endpoint),
    at the local environment's 5 s interval (values/acme-platform/local.yaml)."""
    return {
        "job_name": f"serviceMonitor/acme/{name}/0",
        "honor_labels": honor_labels,
        "kubernetes_sd_configs": [{"role": "endpoints", "namespaces": {"names": ["acme"]}}],
        "scrape_interval": "5s",
        "scrape_timeout": "4s",
        "metrics_path": "/metrics",
        "relabel_configs": [
            {"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"},
            {"action": "keep", "source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_component",
                                                 "__meta_kubernetes_service_labelpresent_app_kubernetes_io_component"],
             "regex": f"({component});true"},
            {"action": "keep", "source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_part_of",
                                                 "__meta_kubernetes_service_labelpresent_app_kubernetes_io_part_of"],
             "regex": "(acme);true"},
            {"action": "keep", "source_labels": ["__meta_kubernetes_endpoint_port_name"], "regex": port},
            {"source_labels": TARGET_META, "separator": ";", "regex": "Node;(.*)", "replacement": "${1}", "target_label": "node"},
            {"source_labels": TARGET_META, "separator": ";", "regex": "Pod;(.*)", "replacement": "${1}", "target_label": "pod"},
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
            {"action": "drop", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "(Failed|Succeeded)"},
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job", "replacement": "${1}"},
            {"target_label": "endpoint", "replacement": port},
        ],
    }


@pytest.fixture(scope="module")
def local() -> list[dict]:
    """acme-platform (monitors, rules) and acme-api (the Service the API monitor selects) as local renders them."""
    return render("acme-platform", "local") + render("acme-api", "local")


def manifests(documents: list[dict]) -> Manifests:
    return Manifests.from_documents(copy.deepcopy(documents), "acme-platform", "acme")


def test_the_charts_monitors_become_the_operators_jobs(local):
    assert scrape_jobs(manifests(local), Options()) == [
        service_job("acme-api", "api", "metrics", honor_labels=False),
        service_job("acme-metrics", "metrics", "http", honor_labels=True),
    ]


def test_the_whole_configuration(local):
    config = configuration(manifests(local), Options(kubeconfig="/etc/prometheus/kubeconfig", rule_files=["rules/a.yaml"],
                                                     alertmanagers=["127.0.0.1:9093"]))
    assert [key for key in config] == ["global", "rule_files", "alerting", "scrape_configs"]
    assert config["global"] == {"scrape_interval": "30s", "evaluation_interval": "30s"}
    assert config["alerting"] == {"alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9093"]}]}]}
    assert [job["kubernetes_sd_configs"] for job in config["scrape_configs"]] == [
        [{"role": "endpoints", "namespaces": {"names": ["acme"]}, "kubeconfig_file": "/etc/prometheus/kubeconfig"}]] * 2


def test_written_files_pass_promtool_check_config(local, tmp_path):
    config = prometheus_files.write(manifests(local), tmp_path, Options(alertmanagers=["127.0.0.1:9093"]))
    written = yaml.safe_load(config.read_text())
    assert written["rule_files"] == [f"rules/acme-acme-{name}.yaml" for name in ("api", "backups", "certificates", "workloads")]
    rule = yaml.safe_load((tmp_path / "rules" / "acme-acme-api.yaml").read_text())
    assert rule == {"groups": find(local, "PrometheusRule", "acme-api")["spec"]["groups"]}
    prometheus_files.check(pinned_tool("promtool"), config)


def test_promtool_refuses_what_prometheus_would(local, tmp_path):
    """The promtool step can fail: a timeout above the interval is rejected by Prometheus' own validation."""
    documents = copy.deepcopy(local)
    find(documents, "ServiceMonitor", "acme-api")["spec"]["endpoints"][0]["scrapeTimeout"] = "1m"
    config = prometheus_files.write(manifests(documents), tmp_path, Options())
    with pytest.raises(HarnessError, match=r"scrape timeout greater than scrape interval for scrape config with job name "
                                           r"\"serviceMonitor/acme/acme-api/0\""):
        prometheus_files.check(pinned_tool("promtool"), config)


def test_the_flat_layout_a_configmap_holds_passes_promtool(local):
    """The real node's Prometheus mounts one ConfigMap: every rule file beside prometheus.yml."""
    files = prometheus_files.checked_contents(pinned_tool("promtool"), manifests(local), Options())
    names = [f"acme-acme-{name}.yaml" for name in ("api", "backups", "certificates", "workloads")]
    assert sorted(files) == sorted([*names, "prometheus.yml"])
    assert yaml.safe_load(files["prometheus.yml"])["rule_files"] == names
    assert yaml.safe_load(files["acme-acme-api.yaml"]) == {"groups": find(local, "PrometheusRule", "acme-api")["spec"]["groups"]}


def test_flat_files_promtool_refuses_are_never_returned(local):
    documents = copy.deepcopy(local)
    find(documents, "PrometheusRule", "acme-api")["spec"]["groups"][0]["rules"][0]["expr"] = "rate(x[5m]"
    with pytest.raises(HarnessError, match=r"promtool check config .*prometheus.yml: .*acme-acme-api.yaml"):
        prometheus_files.checked_contents(pinned_tool("promtool"), manifests(documents), Options())


def _broken(local: list[dict], kind: str, name: str, change) -> Manifests:
    documents = copy.deepcopy(local)
    change(find(documents, kind, name))
    return manifests(documents)


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["spec"].update(endpoints=[]),
     "ServiceMonitor acme/acme-api: spec.endpoints is empty; a monitor without endpoints scrapes nothing"),
    (lambda m: m["spec"].pop("endpoints"),
     "ServiceMonitor acme/acme-api: spec.endpoints is empty; a monitor without endpoints scrapes nothing"),
    (lambda m: m["spec"]["endpoints"][0].update(port="prometheus"),
     "ServiceMonitor acme/acme-api: spec.endpoints[0].port 'prometheus' is not a port of Service acme/acme-api "
     "(its ports: http, metrics)"),
    (lambda m: m["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/component": "apy"}),
     "ServiceMonitor acme/acme-api: spec.selector selects no rendered Service in acme"),
    (lambda m: m["spec"].update(namespaceSelector={"matchNames": ["monitoring"]}),
     "ServiceMonitor acme/acme-api: spec.selector selects no rendered Service in monitoring"),
    (lambda m: m["spec"]["endpoints"][0].update(bearerTokenSecret={"name": "t", "key": "token"}),
     "ServiceMonitor acme/acme-api: spec.endpoints[0].bearerTokenSecret is not translated by the scrape-config generator"),
    (lambda m: m["spec"]["endpoints"][0].update(tlsConfig={"ca": {"secret": {"name": "ca", "key": "ca.crt"}}}),
     "ServiceMonitor acme/acme-api: spec.endpoints[0].tlsConfig.ca is not translated by the scrape-config generator"),
    (lambda m: m["spec"].update(sampleLimit=1000),
     "ServiceMonitor acme/acme-api: spec.sampleLimit is not translated by the scrape-config generator"),
], ids=["no-endpoints", "endpoints-absent", "port-the-service-lacks", "selects-no-service", "namespace-without-the-service",
        "bearer-token-secret", "tls-from-a-secret", "sample-limit"])
def test_bad_monitor_is_one_sentence_naming_the_field(local, change, message):
    with pytest.raises(HarnessError) as raised:
        scrape_jobs(_broken(local, "ServiceMonitor", "acme-api", change), Options())
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_selector_expressions_scheme_tls_and_relabelings(local):
    def extend(monitor):
        monitor["spec"]["selector"]["matchExpressions"] = [
            {"key": "app.kubernetes.io/name", "operator": "In", "values": ["acme-api", "api"]},
            {"key": "tier", "operator": "NotIn", "values": ["canary"]},
            {"key": "app.kubernetes.io/instance", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"}]
        monitor["spec"]["jobLabel"] = "app.kubernetes.io/name"
        monitor["spec"]["targetLabels"] = ["app.kubernetes.io/version"]
        monitor["spec"]["endpoints"][0].update(
            scheme="https", tlsConfig={"caFile": "/etc/ca.crt", "serverName": "acme-api.acme.svc", "insecureSkipVerify": False},
            relabelings=[{"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node", "action": "Replace"}],
            metricRelabelings=[{"sourceLabels": ["__name__"], "regex": "go_.*", "action": "Drop"}], filterRunning=False)
    (job,) = [j for j in scrape_jobs(_broken(local, "ServiceMonitor", "acme-api", extend), Options())
              if j["job_name"] == "serviceMonitor/acme/acme-api/0"]
    assert job["scheme"] == "https"
    assert job["tls_config"] == {"ca_file": "/etc/ca.crt", "insecure_skip_verify": False, "server_name": "acme-api.acme.svc"}
    rules = job["relabel_configs"]
    assert rules[3:7] == [
        {"action": "keep", "source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_name",
                                             "__meta_kubernetes_service_labelpresent_app_kubernetes_io_name"],
         "regex": "(acme-api|api);true"},
        {"action": "drop", "source_labels": ["__meta_kubernetes_service_label_tier", "__meta_kubernetes_service_labelpresent_tier"],
         "regex": "(canary);true"},
        {"action": "keep", "source_labels": ["__meta_kubernetes_service_labelpresent_app_kubernetes_io_instance"], "regex": "true"},
        {"action": "drop", "source_labels": ["__meta_kubernetes_service_labelpresent_legacy"], "regex": "true"}]
    assert {"action": "drop", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "(Failed|Succeeded)"} not in rules
    assert rules[-5:] == [
        {"source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_version"], "target_label": "app_kubernetes_io_version",
         "regex": "(.+)", "replacement": "${1}"},
        {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job", "replacement": "${1}"},
        {"source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_name"], "target_label": "job",
         "regex": "(.+)", "replacement": "${1}"},
        {"target_label": "endpoint", "replacement": "metrics"},
        {"source_labels": ["__meta_kubernetes_pod_node_name"], "target_label": "node", "action": "replace"}]
    assert job["metric_relabel_configs"] == [{"source_labels": ["__name__"], "regex": "go_.*", "action": "drop"}]


def test_pod_monitor_selects_pods_by_container_port(local):
    documents = copy.deepcopy(local)
    documents.append({"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
                      "metadata": {"name": "acme-api-pods", "namespace": "acme"},
                      "spec": {"selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                               "podMetricsEndpoints": [{"port": "metrics", "interval": "15s"}]}})
    (job,) = [j for j in scrape_jobs(manifests(documents), Options()) if j["job_name"].startswith("podMonitor/")]
    assert job == {
        "job_name": "podMonitor/acme/acme-api-pods/0", "honor_labels": False,
        "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": ["acme"]}}], "scrape_interval": "15s",
        "relabel_configs": [
            {"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"},
            {"action": "drop", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "(Failed|Succeeded)"},
            {"action": "keep", "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_component",
                                                 "__meta_kubernetes_pod_labelpresent_app_kubernetes_io_component"],
             "regex": "(api);true"},
            {"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": "metrics"},
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            {"target_label": "job", "replacement": "acme/acme-api-pods"},
            {"target_label": "endpoint", "replacement": "metrics"}]}


def test_pod_monitor_on_a_port_no_container_has(local):
    documents = copy.deepcopy(local)
    documents.append({"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
                      "metadata": {"name": "acme-api-pods", "namespace": "acme"},
                      "spec": {"selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
                               "podMetricsEndpoints": [{"port": "prom"}]}})
    with pytest.raises(HarnessError, match=r"^PodMonitor acme/acme-api-pods: spec.podMetricsEndpoints\[0\].port 'prom' "
                                           r"is not a port of Deployment acme/acme-api \(its ports: http, metrics\)$"):
        scrape_jobs(manifests(documents), Options())


def test_command_line_unknown_environment_is_exit_2(tmp_path, capsys):
    assert main(["observability", "prometheus-config", "--env", "qa", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("harness observability prometheus-config: error: unknown environment `qa`")
    assert err.count("\n") == 1
