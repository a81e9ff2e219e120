"""The cluster add-ons the real node runs as pods: kube-router's RBAC, the cluster DNS, the edge,
Alertmanager, Prometheus, the object store and the log store with its shipper (cluster/addons/*.yaml, with
the node's addresses, the tool build's binaries and any generated configuration filled in).
Applied server-side like the CRDs, so a second `up` changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from kubernetes import client

from ...core.errors import HarnessError
from ...tools import kubectl
from ...tools.process import ToolError
from . import alertmanager, log_store, monitoring, object_storage
from .agents import NODE_LABELS, NODE_TOLERATION, binary, local_images
from .settings import NodeSettings


@dataclass(frozen=True)
class Addon:
    name: str                      # cluster/addons/<name>.yaml
    binary: str | None = None      # a tool build's binary the pod runs
    version_of: str | None = None  # tools/<family>/tool.env whose VERSION the manifest names
    deployment: tuple[str, str] | None = None  # (namespace, name) that must become Available
    # more placeholders, computed when the add-on is applied (a configuration generated for it)
    more: Callable[[NodeSettings], dict[str, str]] | None = None


ADDONS = (
    Addon("kube-router"),
    Addon("coredns", binary="coredns", version_of="coredns", deployment=("kube-system", "coredns")),
    Addon("traefik", binary="traefik", version_of="traefik", deployment=("traefik", "traefik")),
    Addon("alertmanager", binary="alertmanager", version_of="alertmanager", deployment=("monitoring", "alertmanager"),
          more=alertmanager.placeholders),
    Addon("prometheus", binary="prometheus", version_of="promtool", deployment=("monitoring", "prometheus"),
          more=monitoring.placeholders),
    Addon("object-storage", deployment=("object-storage", "s3"), more=object_storage.placeholders),
    # the store first: its manifest makes the namespace the shipper lives in too
    Addon("victoria-logs", binary="victoria-logs", version_of="victorialogs", deployment=("logging", "victoria-logs"),
          more=log_store.store_placeholders),
    Addon("vlagent", binary="vlagent", version_of="victorialogs", deployment=("logging", "vlagent"),
          more=log_store.shipper_placeholders),
)


def _version(settings: NodeSettings, family: str) -> str:
    env = settings.cluster.project.root / "tools" / family / "tool.env"
    for line in env.read_text().splitlines():
        if line.startswith("VERSION="):
            return line.split("=", 1)[1].strip()
    raise HarnessError(f"node: {env} names no VERSION")


def source(settings: NodeSettings, addon: Addon) -> Path:
    return settings.cluster.project.root / "cluster" / "addons" / f"{addon.name}.yaml"


def placeholders(settings: NodeSettings, addon: Addon) -> dict[str, str]:
    """What the manifests leave open: the node's addresses, its placement, the tool build's binary."""
    return {
        "node_ip": settings.node_ip, "cluster_dns": settings.cluster_dns,
        # JSON is YAML: flow-style maps and lists drop into any indentation
        "node_selector": json.dumps(NODE_LABELS),
        "tolerations": json.dumps([NODE_TOLERATION]),
        "base_image": local_images(settings)["pause"].ref,
        "binary": str(Path(binary(settings, addon.binary)).resolve()) if addon.binary else "",
        "version": _version(settings, addon.version_of) if addon.version_of else "",
        **(addon.more(settings) if addon.more else {}),
    }


def fill(path: Path, values: dict[str, str]) -> str:
    """The manifest with every $placeholder filled; an unknown one is an error, never left in."""
    try:
        return Template(path.read_text()).substitute(values)
    except OSError as err:
        raise HarnessError(f"node: cannot read {path} ({err.strerror})") from None
    except KeyError as err:
        raise HarnessError(f"node: {path} has an unknown placeholder ${err.args[0]}") from None
    except ValueError as err:
        raise HarnessError(f"node: {path}: {err}") from None


def apply(settings: NodeSettings, addon: Addon) -> None:
    manifest = settings.state_dir / "addons" / f"{addon.name}.yaml"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(fill(source(settings, addon), placeholders(settings, addon)))
    cluster = settings.cluster
    try:
        kubectl.apply_server_side(cluster.binary("kubectl"), [manifest], "acme-node", cluster.env())
    except ToolError as err:
        raise HarnessError(f"node: applying {addon.name}: {err}") from None


def available(api: client.ApiClient, namespace: str, name: str) -> bool:
    try:
        deployment = client.AppsV1Api(api).read_namespaced_deployment(name, namespace, _request_timeout=2)
    except Exception:  # noqa: BLE001 - not created yet, or the API is busy: poll again
        return False
    status = deployment.status
    return (status.observed_generation or 0) >= deployment.metadata.generation and \
        (status.updated_replicas or 0) == deployment.spec.replicas == (status.available_replicas or 0)


def wait_available(api: client.ApiClient, addon: Addon, timeout: float = 90) -> float:
    """Seconds until the add-on's Deployment is Available; names it when it is not in time."""
    assert addon.deployment is not None
    namespace, name = addon.deployment
    started = time.monotonic()
    while not available(api, namespace, name):
        if time.monotonic() - started > timeout:
            raise HarnessError(f"node: {namespace}/{name} not available after {timeout:.0f} s "
                               f"(kubectl -n {namespace} describe deployment {name})")
        time.sleep(0.5)
    return time.monotonic() - started
