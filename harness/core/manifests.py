"""Rendered objects, indexed once and shared by every check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .fields import get_or

# Where each workload kind keeps its pod template.
POD_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "CustomResourceDefinition",
    "PriorityClass", "StorageClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "PersistentVolume", "GatewayClass", "IngressClass",
}


@dataclass(frozen=True)
class ObjectRef:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


@dataclass(frozen=True, eq=False)
class K8sObject:
    doc: dict[str, Any]
    release: str
    default_namespace: str

    @property
    def kind(self) -> str:
        return str(get_or(self.doc, "kind", ""))

    @property
    def api_version(self) -> str:
        return str(get_or(self.doc, "apiVersion", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        return self.doc.get("metadata") or {}

    @property
    def name(self) -> str:
        return str(get_or(self.metadata, "name", ""))

    @property
    def namespace(self) -> str:
        if self.kind in CLUSTER_SCOPED:
            return ""
        return str(self.metadata.get("namespace") or self.default_namespace)

    @property
    def labels(self) -> dict[str, str]:
        return self.metadata.get("labels") or {}

    @property
    def annotations(self) -> dict[str, str]:
        return self.metadata.get("annotations") or {}

    @property
    def spec(self) -> dict[str, Any]:
        return self.doc.get("spec") or {}

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)


@dataclass(frozen=True)
class PodTemplate:
    """A pod spec inside a workload, with the field path that leads to it."""

    owner: K8sObject
    template: dict[str, Any]
    path: str  # e.g. "spec.template"

    @property
    def labels(self) -> dict[str, str]:
        return (self.template.get("metadata") or {}).get("labels") or {}

    @property
    def spec(self) -> dict[str, Any]:
        return self.template.get("spec") or {}

    @property
    def spec_path(self) -> str:
        return f"{self.path}.spec"

    def containers(self, include_init: bool = True) -> Iterator[tuple[dict[str, Any], str]]:
        """Each container with its field path, init containers included when asked."""
        groups = ("containers", "initContainers") if include_init else ("containers",)
        for group in groups:
            for index, container in enumerate(self.spec.get(group) or []):
                yield container, f"{self.spec_path}.{group}[{index}]"


class Manifests:
    """All objects of one scenario, indexed by kind and by (kind, namespace, name)."""

    def __init__(self, objects: Iterable[K8sObject] = ()) -> None:
        self.objects: list[K8sObject] = []
        self._by_kind: dict[str, list[K8sObject]] = {}
        self._by_ref: dict[tuple[str, str, str], K8sObject] = {}
        for obj in objects:
            self.add(obj)

    @classmethod
    def from_documents(cls, documents: Iterable[Any], release: str, namespace: str) -> "Manifests":
        return cls(K8sObject(doc, release, namespace) for doc in _flatten(documents))

    def add(self, obj: K8sObject) -> None:
        self.objects.append(obj)
        self._by_kind.setdefault(obj.kind, []).append(obj)
        self._by_ref[(obj.kind, obj.namespace, obj.name)] = obj

    def merged(self, other: "Manifests") -> "Manifests":
        return Manifests([*self.objects, *other.objects])

    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self) -> Iterator[K8sObject]:
        return iter(self.objects)

    def of_kind(self, *kinds: str) -> list[K8sObject]:
        return [obj for kind in kinds for obj in self._by_kind.get(kind, [])]

    def get(self, kind: str, name: str, namespace: str | None = None) -> K8sObject | None:
        if namespace is not None:
            return self._by_ref.get((kind, namespace, name))
        return next((o for o in self._by_kind.get(kind, []) if o.name == name), None)

    def pod_templates(self) -> list[PodTemplate]:
        templates = []
        for obj in self.objects:
            if obj.kind == "Pod":
                templates.append(PodTemplate(obj, {"metadata": obj.metadata, "spec": obj.spec}, ""))
                continue
            path = POD_TEMPLATE_PATHS.get(obj.kind)
            if path is None:
                continue
            node: Any = obj.doc
            for step in path:
                node = (node or {}).get(step) if isinstance(node, dict) else None
            if isinstance(node, dict):
                templates.append(PodTemplate(obj, node, ".".join(path)))
        return templates


def _flatten(documents: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Objects, with `kind: List` unwrapped and non-objects dropped."""
    for doc in documents:
        if not isinstance(doc, dict) or "kind" not in doc:
            continue
        if doc["kind"].endswith("List") and isinstance(doc.get("items"), list):
            yield from _flatten(doc["items"])
        else:
            yield doc


def service_selects(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """A Service's plain-map selector; an empty or missing one selects nothing here."""
    return bool(selector) and all(labels.get(k) == str(v) for k, v in selector.items())
