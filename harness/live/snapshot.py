"""One consistent read of a namespace: a handful of list calls, never one request per pod.

Objects stay plain dicts (the API's JSON), so checks are pure functions and tests feed them
hand-written objects without the client's model classes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ..core.errors import HarnessError
from .wire import WireMatrix

# Every Acme object carries this label (docs/contract.md), so one selector finds them all.
PART_OF = "app.kubernetes.io/part-of=acme"

Obj = dict[str, Any]


@dataclass
class Snapshot:
    namespace: str
    deployments: list[Obj] = field(default_factory=list)
    pods: list[Obj] = field(default_factory=list)
    services: list[Obj] = field(default_factory=list)
    endpoint_slices: list[Obj] = field(default_factory=list)
    pdbs: list[Obj] = field(default_factory=list)
    hpas: list[Obj] = field(default_factory=list)
    network_policies: list[Obj] = field(default_factory=list)
    ingresses: list[Obj] = field(default_factory=list)
    tls_secrets: list[Obj] = field(default_factory=list)
    release_secrets: list[Obj] = field(default_factory=list)
    http_routes: list[Obj] = field(default_factory=list)
    gateways: list[Obj] = field(default_factory=list)  # every namespace: routes attach across them
    # measured once after a deploy settles, where probe pods can run (never read by load())
    wire: WireMatrix | None = None
    taken_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def named(self, kind_list: list[Obj], name: str, namespace: str | None = None) -> Obj | None:
        return next((o for o in kind_list if o["metadata"]["name"] == name
                     and (namespace is None or o["metadata"].get("namespace", self.namespace) == namespace)), None)


def _items(call: Callable[..., Any], what: str, missing_ok: bool = False, **kwargs: Any) -> list[Obj]:
    """Call a list API without model deserialisation (10x faster over 1,000 pods).

    `missing_ok`: a 404 (the kind's CRD is not installed) means there are none.
    """
    try:
        response = call(_preload_content=False, _request_timeout=30, **kwargs)
    except ApiException as err:
        if missing_ok and err.status == 404:
            return []
        raise HarnessError(f"smoke: listing {what} failed: {err.status} {err.reason}") from None
    except (HTTPError, OSError) as err:
        raise HarnessError(f"smoke: API server unreachable while listing {what}: {err}") from None
    return json.loads(response.data)["items"]


def _gateway_api(api: client.ApiClient, plural: str, namespace: str | None) -> list[Obj]:
    custom = client.CustomObjectsApi(api)
    gv = {"group": "gateway.networking.k8s.io", "version": "v1", "plural": plural}
    if namespace is None:
        return _items(custom.list_cluster_custom_object, plural, missing_ok=True, **gv)
    return _items(custom.list_namespaced_custom_object, plural, missing_ok=True, namespace=namespace, **gv)


def _gateway_namespaces(routes: list[Obj], namespace: str) -> set[str]:
    return {ref.get("namespace", namespace) for r in routes for ref in r.get("spec", {}).get("parentRefs") or []}


def load(api: client.ApiClient, namespace: str) -> Snapshot:
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    net, policy = client.NetworkingV1Api(api), client.PolicyV1Api(api)
    scaling, discovery = client.AutoscalingV2Api(api), client.DiscoveryV1Api(api)
    ns = namespace
    routes = _gateway_api(api, "httproutes", ns)
    # Listener certificates live beside their Gateway (the edge's namespace), not in ours.
    tls_secrets = []
    for secret_ns in sorted({ns} | _gateway_namespaces(routes, ns)):
        tls_secrets += _items(core.list_namespaced_secret, f"tls secrets in {secret_ns}", namespace=secret_ns,
                              field_selector="type=kubernetes.io/tls")
    return Snapshot(
        namespace=ns,
        deployments=_items(apps.list_namespaced_deployment, "deployments", namespace=ns, label_selector=PART_OF),
        pods=_items(core.list_namespaced_pod, "pods", namespace=ns, label_selector=PART_OF),
        services=_items(core.list_namespaced_service, "services", namespace=ns, label_selector=PART_OF),
        # Slices of a selector-less Service (external database) are ours but not the controller's: take all.
        endpoint_slices=_items(discovery.list_namespaced_endpoint_slice, "endpointslices", namespace=ns),
        pdbs=_items(policy.list_namespaced_pod_disruption_budget, "pdbs", namespace=ns, label_selector=PART_OF),
        hpas=_items(scaling.list_namespaced_horizontal_pod_autoscaler, "hpas", namespace=ns, label_selector=PART_OF),
        network_policies=_items(net.list_namespaced_network_policy, "networkpolicies", namespace=ns),
        ingresses=_items(net.list_namespaced_ingress, "ingresses", namespace=ns, label_selector=PART_OF),
        # cert-manager does not label its Secrets with ours; the type selects them server-side.
        tls_secrets=tls_secrets,
        release_secrets=_items(core.list_namespaced_secret, "helm releases", namespace=ns, label_selector="owner=helm"),
        http_routes=routes,
        gateways=_gateway_api(api, "gateways", None) if routes else [],
    )
