"""The intended-flow contract (policy/intended-flows.yaml): components and allowed flows."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HarnessError
from .yamlio import load_yaml_file

_TOP_KEYS = {"cluster", "components", "probes", "flows"}


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
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise HarnessError(f"{path}: unknown key `{unknown[0]}`")
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
        if not isinstance(entry, dict) or not {"from", "to", "port"} <= set(entry):
            raise HarnessError(f"{where}: needs from, to and port")
        for source in _as_list(entry["from"]):
            for target in _as_list(entry["to"]):
                for name in (source, target):
                    if name not in names:
                        raise HarnessError(f"{where}: unknown component `{name}`")
                for protocol in _as_list(entry.get("protocol", "TCP")):
                    flows.add(Flow(source, target, _port(where, entry["port"]), str(protocol)))
    return IntendedFlows(path, pod_cidr, components, probes, frozenset(flows))


def _component(path: Path, name: str, spec: Any) -> ComponentSpec:
    if not isinstance(spec, dict):
        raise HarnessError(f"{path}: components.{name} must be a mapping")
    ports = tuple(
        PortSpec(_port(f"{path}: components.{name}.ports", p.get("port")), p.get("protocol", "TCP"), p.get("name", ""))
        for p in spec.get("ports") or []
    )
    labels = tuple(sorted((str(k), str(v)) for k, v in (spec.get("podLabels") or {}).items()))
    return ComponentSpec(name, spec.get("namespace"), labels, ports, spec.get("address"),
                         spec.get("externalService"), bool(spec.get("rendered", False)))


def _port(where: str, value: Any) -> int:
    if not isinstance(value, int) or not 0 < value < 65536:
        raise HarnessError(f"{where}: port must be an integer 1-65535, got {value!r}")
    return value


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]
