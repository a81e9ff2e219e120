"""The add-on manifests the real node runs (cluster/addons): every placeholder filled, and each
object shaped the way the charts' NetworkPolicies and the smoke checks rely on."""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from pathlib import Path

import pytest
import yaml

from harness.core.errors import HarnessError
from harness.deploy.cluster.settings import ClusterSettings
from harness.core.project import Project
from harness.deploy.node import addons, alertmanager, log_store, object_storage
from harness.deploy.node.agents import NODE_LABELS, NODE_TOLERATION
from harness.deploy.node.settings import NodeSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def node() -> NodeSettings:
    return NodeSettings(ClusterSettings.from_env())


def _filled(node: NodeSettings, name: str, **more: str) -> list[dict]:
    addon = next(a for a in addons.ADDONS if a.name == name)
    values = {"node_ip": node.node_ip, "cluster_dns": node.cluster_dns,
              "node_selector": '{"node.acme.dev/real": "true"}',
              "tolerations": '[{"key": "node.acme.dev/real", "value": "true", "effect": "NoSchedule", '
                             '"operator": "Equal"}]',
              "base_image": "acme.local/pause:3.10.2", "binary": f"/cache/bin/{addon.binary}", "version": "v0",
              "config_files": '{"prometheus.yml": "scrape_configs: []\\n"}', "config_checksum": "c0ffee", "port": "9090",
              "synthetic_rules": "/state/node/synthetic-rules", **more}
    return [doc for doc in yaml.safe_load_all(addons.fill(addons.source(node, addon), values)) if doc]


def _one(docs: list[dict], kind: str) -> dict:
    [found] = [d for d in docs if d["kind"] == kind]
    return found


def test_dns_is_kube_dns_on_the_clusters_dns_address(node: NodeSettings) -> None:
    docs = _filled(node, "coredns")
    service, deployment = _one(docs, "Service"), _one(docs, "Deployment")
    # the labels and namespace every chart's DNS egress rule names (acme-lib networkPolicyToDns)
    assert (service["metadata"]["namespace"], service["metadata"]["name"]) == ("kube-system", "kube-dns")
    assert service["spec"]["clusterIP"] == node.cluster_dns == "10.0.0.10"
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"k8s-app": "kube-dns"}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == NODE_LABELS and pod["tolerations"] == [NODE_TOLERATION]
    assert pod["volumes"][0]["hostPath"] == {"path": "/cache/bin/coredns", "type": "File"}
    corefile = _one(docs, "ConfigMap")["data"]["Corefile"]
    assert "forward" not in corefile, "pods must reach no resolver beyond the node"


def test_the_object_store_is_where_the_local_backup_values_point(node: NodeSettings) -> None:
    local = yaml.safe_load((REPO / "values" / "acme-platform" / "local.yaml").read_text())["backup"]["objectStorage"]
    values = {"node_ip": node.node_ip, "node_selector": json.dumps(NODE_LABELS),
              "tolerations": json.dumps([NODE_TOLERATION]), "image": "acme.local/backup:15-local",
              "site_packages": "/cache/venv/site-packages", "port": str(object_storage.PORT)}
    store = next(a for a in addons.ADDONS if a.name == "object-storage")
    docs = [doc for doc in yaml.safe_load_all(addons.fill(addons.source(node, store), values)) if doc]
    service, deployment = _one(docs, "Service"), _one(docs, "Deployment")
    endpoint = urllib.parse.urlsplit(local["endpoint"])
    assert endpoint.hostname == f"{service['metadata']['name']}.{service['metadata']['namespace']}.svc.cluster.local"
    assert endpoint.port == service["spec"]["ports"][0]["port"] == local["port"] == object_storage.PORT
    # the backup pods' egress admits the store's pod: its address is in the node's pod network
    assert any(node.pod_network.subnet_of(ipaddress.IPv4Network(cidr)) for cidr in local["cidrs"])
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == service["spec"]["ports"][0]["targetPort"] == object_storage.PORT
    assert container["ports"][0]["hostIP"] == node.node_ip
    assert {"name": "site-packages", "mountPath": "/acme/site-packages", "readOnly": True} in container["volumeMounts"]
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == NODE_LABELS


def test_the_object_store_without_its_venv_says_how_to_make_it(node: NodeSettings, tmp_path: Path) -> None:
    elsewhere = NodeSettings(ClusterSettings.from_env(Project(tmp_path)))
    with pytest.raises(HarnessError, match="no moto S3 server in .*backup-s3/venv .*run: make backup-deps"):
        object_storage.site_packages(elsewhere)


def test_edge_listens_on_the_nodes_address_with_the_labels_the_charts_admit(node: NodeSettings) -> None:
    docs = _filled(node, "traefik")
    deployment = _one(docs, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    chart = yaml.safe_load((REPO / "charts" / "acme-api" / "values.yaml").read_text())["networkPolicy"]["edge"]
    assert deployment["metadata"]["namespace"] == chart["namespace"]
    assert chart["podLabels"].items() <= labels.items()
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    host_ports = {(p["hostIP"], p["hostPort"]) for p in container["ports"] if "hostPort" in p}
    assert host_ports == {(node.node_ip, 80), (node.node_ip, 443)}
    # the Ingresses' class and the Middleware their annotation names (traefik-redirect-https@kubernetescrd)
    assert _one(docs, "IngressClass")["metadata"]["name"] == "traefik"
    middleware = _one(docs, "Middleware")["metadata"]
    assert f"{middleware['namespace']}-{middleware['name']}" == "traefik-redirect-https"


def test_prometheus_runs_where_the_charts_admit_scrapes_with_its_generated_configuration(node: NodeSettings) -> None:
    docs = _filled(node, "prometheus")
    deployment = _one(docs, "Deployment")
    chart = yaml.safe_load((REPO / "charts" / "acme-api" / "values.yaml").read_text())["networkPolicy"]["monitoring"]
    assert deployment["metadata"]["namespace"] == chart["namespace"]
    assert _one(docs, "ConfigMap")["data"] == {"prometheus.yml": "scrape_configs: []\n"}
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["annotations"] == {"acme.dev/config-checksum": "c0ffee"}
    assert pod["spec"]["nodeSelector"] == NODE_LABELS and pod["spec"]["tolerations"] == [NODE_TOLERATION]
    [container] = pod["spec"]["containers"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in container["command"]
    assert [(p["hostIP"], p["hostPort"]) for p in container["ports"]] == [(node.node_ip, 9090)]
    # service discovery lists what the generated jobs select: endpoints/endpointslices, services, pods
    [role] = [d for d in docs if d["kind"] == "ClusterRole"]
    resources = {r for rule in role["rules"] for r in rule["resources"]}
    assert {"endpoints", "endpointslices", "services", "pods"} <= resources
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert mounts["synthetic-rules"] == {"name": "synthetic-rules", "mountPath": alertmanager.RULES_MOUNT, "readOnly": True}
    assert volumes["synthetic-rules"]["hostPath"] == {"path": "/state/node/synthetic-rules", "type": "DirectoryOrCreate"}


def test_alertmanager_listens_on_the_node_where_it_reaches_the_hosts_receiver(node: NodeSettings) -> None:
    """Pods never reach the host: Alertmanager shares the node's network namespace, which does."""
    docs = _filled(node, "alertmanager", port="9093", config_files='{"alertmanager.yml": "route: {}\\n"}')
    deployment = _one(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["metadata"]["namespace"] == "monitoring" and pod["hostNetwork"] is True
    assert pod["nodeSelector"] == NODE_LABELS and pod["tolerations"] == [NODE_TOLERATION]
    [container] = pod["containers"]
    assert f"--web.listen-address={node.node_ip}:9093" in container["command"]
    assert "--cluster.listen-address=" in container["command"], "one Alertmanager: no gossip listener"
    assert _one(docs, "ConfigMap")["data"] == {"alertmanager.yml": "route: {}\n"}


def test_alertmanager_sends_synthetic_alerts_to_the_harness_and_nothing_else(node: NodeSettings) -> None:
    config = alertmanager.config(node)
    assert config["route"]["receiver"] == "none"
    [synthetic] = config["route"]["routes"]
    assert synthetic["matchers"] == ['acme_synthetic="true"'] and synthetic["group_wait"] == "0s"
    assert "trigger" in synthetic["group_by"], "each trigger is its own group, sent at once"
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["none"] == {"name": "none"}
    assert receivers[synthetic["receiver"]]["webhook_configs"] == [
        {"url": f"http://{node.host_ip}:9095/alerts", "send_resolved": False}]
    assert alertmanager.receiver_address(node) == f"{node.host_ip}:9095"


def test_the_shipper_reads_the_nodes_pod_logs_and_sends_them_to_the_stores_service(node: NodeSettings) -> None:
    store_docs = _filled(node, "victoria-logs", **log_store.store_placeholders(node))
    shipper_docs = _filled(node, "vlagent", **log_store.shipper_placeholders(node))
    service = _one(store_docs, "Service")
    assert _one(store_docs, "Namespace")["metadata"]["name"] == service["metadata"]["namespace"] == "logging"
    [store] = _one(store_docs, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert [(p["hostIP"], p["hostPort"]) for p in store["ports"]] == [(node.node_ip, log_store.STORE_PORT)]
    assert service["spec"]["ports"][0]["port"] == log_store.STORE_PORT
    assert log_store.store_url(node) == f"http://{node.node_ip}:9428"
    pod = _one(shipper_docs, "Deployment")["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == NODE_LABELS and pod["serviceAccountName"] == "vlagent"
    [shipper] = pod["containers"]
    assert f"-remoteWrite.url=http://victoria-logs.logging.svc.cluster.local:{log_store.STORE_PORT}/insert/native" \
        in shipper["command"] and "-kubernetesCollector" in shipper["command"]
    assert [(p["hostIP"], p["hostPort"]) for p in shipper["ports"]] == [(node.node_ip, log_store.SHIPPER_PORT)]
    # kubelet's /var/log/containers links point into /var/log/pods: one read-only mount holds both
    assert {"name": "logs", "mountPath": "/var/log", "readOnly": True} in shipper["volumeMounts"]
    assert {"name": "logs", "hostPath": {"path": "/var/log", "type": "Directory"}} in pod["volumes"]
    # the collector watches the node's pods and reads its own pod to learn the node
    [role] = [d for d in shipper_docs if d["kind"] == "ClusterRole"]
    assert {"pods", "nodes"} <= {r for rule in role["rules"] for r in rule["resources"]}


def test_prometheus_placeholders_are_the_local_environments_checked_configuration(node: NodeSettings,
                                                                                  monkeypatch) -> None:
    from harness.deploy.node import monitoring
    monkeypatch.setattr(monitoring, "config_files", lambda settings: {"prometheus.yml": "a: 1\n"})
    values = monitoring.placeholders(node)
    assert yaml.safe_load(values["config_files"]) == {"prometheus.yml": "a: 1\n"}
    assert values["port"] == "9090" and len(values["config_checksum"]) == 64


def test_kube_router_user_is_bound(node: NodeSettings) -> None:
    from harness.deploy.node.dataplane import KUBE_ROUTER_USER
    binding = _one(_filled(node, "kube-router"), "ClusterRoleBinding")
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": KUBE_ROUTER_USER}]


def test_an_unknown_placeholder_is_named(tmp_path: Path) -> None:
    manifest = tmp_path / "x.yaml"
    manifest.write_text("image: $base_image\nnode: $nodeip\n")
    with pytest.raises(HarnessError, match=r"x.yaml has an unknown placeholder \$nodeip$"):
        addons.fill(manifest, {"base_image": "pause"})
    manifest.write_text("price: $5\n")
    with pytest.raises(HarnessError, match=r"x.yaml: Invalid placeholder"):
        addons.fill(manifest, {})


def test_api_server_is_reachable_from_pods_through_the_kubernetes_service(node: NodeSettings) -> None:
    from harness.deploy.cluster import kwokctl
    config = kwokctl.config_document(node.cluster)
    assert config["options"]["kubeApiserverCertSANs"] == ["10.0.0.1", node.node_ip]
    [patch] = [p for p in config["componentsPatches"] if p["name"] == "kube-apiserver"]
    assert patch["extraArgs"] == [{"key": "advertise-address", "value": node.node_ip}]


@pytest.mark.parametrize("addon", [a for a in addons.ADDONS if a.deployment], ids=lambda a: a.name)
def test_every_add_on_container_requests_cpu_and_memory(node: NodeSettings, addon: addons.Addon) -> None:
    """A BestEffort pod's cgroup weighs 2 against 102 per 100m requested: with the add-ons BestEffort,
    a burst of Burstable pods (the wire probes) starved the edge and every request through it stalled for 5 s."""
    docs = [doc for doc in yaml.safe_load_all(addons.source(node, addon).read_text()) if doc]
    containers = [c for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]]
    assert containers
    for container in containers:
        requests = container.get("resources", {}).get("requests", {})
        assert {"cpu", "memory"} <= requests.keys(), f"{addon.name}/{container['name']} requests {requests or 'nothing'}"
