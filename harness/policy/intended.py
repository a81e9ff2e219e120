"""The intended-flow contract (policy/intended-flows.yaml): components and allowed flows."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ..core.errors import HarnessError
from ..core.yamlio import load_yaml_file

_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
_COMPONENT = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "namespace": {"type": "string"}, "address": {"type": "string"}, "externalService": {"type": "string"},
        "rendered": {"type": "boolean"},
        "podLabels": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "ports": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["port"],
            "properties": {"port": _PORT, "protocol": {"enum": ["TCP", "UDP", "SCTP"]}, "name": {"type": "string"}}}},
    },
}
_NAMES = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
# The file's shape, checked before it is read, so a typo is one line naming where it is.
_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "cluster": {"type": "object", "additionalProperties": False, "properties": {"podCIDR": {"type": "string"}}},
        "components": {"type": "object", "additionalProperties": _COMPONENT},
        "probes": {"type": "object", "additionalProperties": _COMPONENT},
        "flows": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["from", "to", "port"],
            "properties": {"from": _NAMES, "to": _NAMES, "port": _PORT,
                           "protocol": {"anyOf": [{"enum": ["TCP", "UDP", "SCTP"]},
                                                  {"type": "array", "items": {"enum": ["TCP", "UDP", "SCTP"]}}]}}}},
    },
}


@dataclass(frozen=True)
class PortSpec:
    port: int
    protocol: str = "TCP"
    name: str = ""


@dataclass(frozen=True)
class ComponentSpec:
    """How to find a component: pods by namespace + labels, or an address outside the cluster."""

    name: str
    namespace: str | None = None
    pod_labels: tuple[tuple[str, str], ...] = ()
    ports: tuple[PortSpec, ...] = ()  # declared ports for components we do not render
    address: str | None = None  # outside the cluster (the internet)
    external_service: str | None = None  # selector-less Service whose EndpointSlices hold the addresses
    rendered: bool = False  # True: pods come from the rendered manifests (Acme components)


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    port: int
    protocol: str


@dataclass(frozen=True)
class IntendedFlows:
    path: Path
    pod_cidr: ipaddress.IPv4Network
    components: tuple[ComponentSpec, ...]
    probes: tuple[ComponentSpec, ...]  # must never be admitted anywhere
    flows: frozenset[Flow]

    def component(self, name: str) -> ComponentSpec | None:
        return next((c for c in (*self.components, *self.probes) if c.name == name), None)


def load_intended_flows(path: Path) -> IntendedFlows:
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise HarnessError(f"{path}: must be a mapping with components and flows")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_SCHEMA).iter_errors(raw))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise HarnessError(f"{path}: {where}: {error.message}")
    cluster = raw.get("cluster") or {}
    try:
        pod_cidr = ipaddress.IPv4Network(cluster.get("podCIDR", "10.244.0.0/16"))
    except ValueError as exc:
        raise HarnessError(f"{path}: cluster.podCIDR: {exc}") from None
    components = tuple(_component(path, n, s) for n, s in (raw.get("components") or {}).items())
    probes = tuple(_component(path, n, s) for n, s in (raw.get("probes") or {}).items())
    names = {c.name for c in (*components, *probes)}
    flows = set()
    for index, entry in enumerate(raw.get("flows") or []):
        where = f"{path}: flows[{index}]"
        for source in _as_list(entry["from"]):
            for target in _as_list(entry["to"]):
                for name in (source, target):
                    if name not in names:
                        raise HarnessError(f"{where}: unknown component `{name}`")
                for protocol in _as_list(entry.get("protocol", "TCP")):
                    flows.add(Flow(source, target, entry["port"], str(protocol)))
    return IntendedFlows(path, pod_cidr, components, probes, frozenset(flows))


def _component(path: Path, name: str, spec: Any) -> ComponentSpec:
    ports = tuple(
        PortSpec(p["port"], p.get("protocol", "TCP"), p.get("name", ""))
        for p in spec.get("ports") or []
    )
    labels = tuple(sorted((str(k), str(v)) for k, v in (spec.get("podLabels") or {}).items()))
    return ComponentSpec(name, spec.get("namespace"), labels, ports, spec.get("address"),
                         spec.get("externalService"), bool(spec.get("rendered", False)))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
