"""The cluster-facing steps of a release: `helmfile diff` (shown and kept for the report) and
`helmfile apply`, both aimed at the release's target cluster with the pinned tools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..cluster.client import api_client
from ..cluster.settings import ClusterSettings
from ..images.index import load_index
from ..images.values import Placement, write_overlay
from ..node import lifecycle as node_lifecycle
from ..node.agents import NODE_LABELS, NODE_TOLERATION
from ..node.settings import NodeSettings
from ...core.project import Project
from ...render.renderer import Renderer
from ..pending import find_stuck, recover
from ..target import Target
from ...tools import helmfile as helmfile_tool


def helmfile_diff(project: Project, target: Target, context: str) -> tuple[bool, str]:
    """(any change, diff text). Secrets are shown as digests, never as values."""
    Renderer(project).ensure_tree_dependencies(project.root)  # helmfile runs with --skip-deps
    return helmfile_tool.diff(project.tool("helmfile"), target.env, context, project.root, tool_env(project, target),
                              state_values(project, target))


def state_values(project: Project, target: Target) -> dict[str, str]:
    """`realNode`: while the local cluster's real node runs, the directory of the values that put
    the local workloads on it (their images pinned by digest); the same for diff and apply."""
    if not target.local:
        return {}
    node = NodeSettings(ClusterSettings.from_env(project))
    if not node_lifecycle.status(node).running:
        return {}
    directory = node.state_dir / "values"
    write_overlay(load_index(project), directory, Placement(NODE_LABELS, (NODE_TOLERATION,)))
    return {"realNode": str(directory)}


def tool_env(project: Project, target: Target) -> dict[str, str]:
    """Environment for helm/helmfile aimed at the target cluster, pinned tools first on PATH."""
    env = ClusterSettings.from_env(project).env() if target.local else dict(os.environ)
    if not target.local and target.kubeconfig:
        env["KUBECONFIG"] = str(target.kubeconfig)
    # The .tools/bin wrappers of helm and helmfile set the plugin dir and Helm state themselves.
    env["PATH"] = f"{project.root / '.tools' / 'bin'}:{env.get('PATH', '')}"
    return env


def helmfile_apply(project: Project, target: Target, context: str, selector: str | None = None,
                   values: Sequence[Path] = (), tree: Path | None = None) -> str:
    """`tree`: the helmfile, charts and values of another checkout (a previous release extracted
    from git) deployed with this project's tools and real-node values."""
    env = tool_env(project, target)
    Renderer(project).ensure_tree_dependencies(tree or project.root)  # helmfile runs with --skip-deps
    # A release an interrupted apply left pending would refuse this one (see deploy/pending.py).
    recovered = recover(project.tool("helm"), find_stuck(api_client(target.kubeconfig, context)), context, env,
                        target.local)
    helmfile_tool.apply(project.tool("helmfile"), target.env, context, tree or project.root, env,
                        state_values(project, target), selector, values)
    return f"applied (recovered {', '.join(recovered)})" if recovered else "applied"
