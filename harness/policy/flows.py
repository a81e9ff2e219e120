"""The allowed-flow matrix of an environment as a table, JSON or a Mermaid graph (for docs)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Protocol

from ..core.manifests import Manifests
from .intended import IntendedFlows
from .netpol import flow_matrix


class FlowSubject(Protocol):
    """What the flow views read from a rendered scenario (render.scenario.Scenario is one)."""

    name: str
    environment: str | None
    intended: IntendedFlows | None
    manifests: Manifests


def allowed_flows(scenario: FlowSubject) -> dict[tuple[str, str], list[str]]:
    """(source, target) -> sorted "port/protocol" the policies allow, with intended flows marked."""
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for result in flow_matrix(scenario.intended, scenario.manifests):
        if result.allowed:
            grouped[(result.source.name, result.target.name)].add(f"{result.port}/{result.protocol}")
    return {pair: sorted(ports) for pair, ports in sorted(grouped.items())}


def format_flows(scenario: FlowSubject, style: str) -> str:
    flows = allowed_flows(scenario)
    intended = {(f.source, f.target, f"{f.port}/{f.protocol}") for f in scenario.intended.flows}
    if style == "json":
        return json.dumps({"environment": scenario.environment, "flows": [
            {"from": s, "to": t, "ports": ports, "intended": all((s, t, p) in intended for p in ports)}
            for (s, t), ports in flows.items()]}, indent=2) + "\n"
    if style == "mermaid":
        lines = ["flowchart LR"]
        for (source, target), ports in flows.items():
            lines.append(f"  {_node(source)} -->|{' '.join(ports)}| {_node(target)}")
        return "\n".join(lines) + "\n"
    lines = [f"# {scenario.name}: flows the NetworkPolicies allow (* = not in policy/intended-flows.yaml)"]
    for (source, target), ports in flows.items():
        marked = [p if (source, target, p) in intended else f"{p}*" for p in ports]
        lines.append(f"{source:>16} -> {target:<12} {', '.join(marked)}")
    return "\n".join(lines) + "\n"


def _node(name: str) -> str:
    return name.replace("-", "_") + f'["{name}"]'
