"""Which cluster an environment means, and the guard before touching a non-local one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from kubernetes import client, config

from .cluster.settings import ClusterSettings
from .node import backends, edge, lifecycle as node_lifecycle, wire_matrix
from .node.settings import NodeSettings
from ..core.errors import HarnessError
from ..core.project import LOCAL_ENV, Project
from ..live.settings import ObservabilitySettings
from ..live.wire import WireMatrix
from ..render.helmfile import require_environment


@dataclass(frozen=True)
class Target:
    env: str
    kubeconfig: Path | None  # None: $KUBECONFIG or ~/.kube/config, as kubectl would
    context: str | None

    @property
    def local(self) -> bool:
        return self.env == LOCAL_ENV


def target_for(env: str, kubeconfig: str | Path | None = None, context: str | None = None,
               project: Project | None = None) -> Target:
    project = project or Project.discover()
    require_environment(project, env)
    if env == LOCAL_ENV:
        if kubeconfig:
            # The local environment always means the harness's own cluster; a kubeconfig given
            # here would otherwise be ignored silently and the checks would run elsewhere.
            raise HarnessError(f"--kubeconfig {kubeconfig} cannot apply to --env local (it uses the local cluster's "
                               "own kubeconfig); drop it or name another environment")
        cluster = ClusterSettings.from_env(project)
        if not cluster.kubeconfig.exists():
            raise HarnessError(f"no local cluster: {cluster.kubeconfig} missing; run `harness cluster up` (make cluster-up)")
        return Target(env, cluster.kubeconfig, context or cluster.context)
    path = Path(kubeconfig) if kubeconfig else None
    if path is not None and not path.exists():
        raise HarnessError(f"--kubeconfig: {path} does not exist")
    return Target(env, path, context)


def current_context(target: Target) -> str:
    if target.context:
        return target.context
    try:
        _, active = config.list_kube_config_contexts(config_file=str(target.kubeconfig) if target.kubeconfig else None)
    except (config.ConfigException, OSError, yaml.YAMLError) as err:  # PyYAML's errors pass through the client
        raise HarnessError(f"kubeconfig {target.kubeconfig or '(default)'}: {' '.join(str(err).split())}") from None
    return active["name"]


def require_confirmation(target: Target, confirmed_context: str | None) -> str:
    """Changing a real cluster needs its context name typed out, so a flag left over from
    another cluster's command line cannot deploy here. Returns the context."""
    context = current_context(target)
    if not target.local and confirmed_context != context:
        raise HarnessError(f"{target.env}: refusing to deploy to kube context {context!r}; "
                           f"confirm with --confirm-context {context} (ENV=local uses the kwok cluster)")
    return context


def data_plane(project: Project, target: Target, api: client.ApiClient) -> dict:
    """SmokeSettings' `data_plane` and `http` for `target`: staging and production run containers;
    local does once its real node's edge serves, and is then reached there."""
    if not target.local:
        return {"data_plane": True}
    http = edge.http_settings(ClusterSettings.from_env(project), api)
    return {"data_plane": True, "http": http} if http else {"data_plane": False}


def observability(project: Project, target: Target, api: client.ApiClient,
                  prometheus_url: str | None = None) -> ObservabilitySettings:
    """SmokeSettings' `observability` for `target`: the Prometheus given, else on local the real
    node's once it is available; other environments' backends are reached only when named."""
    if prometheus_url or not target.local:
        return ObservabilitySettings(prometheus_url=prometheus_url)
    return backends.observability_settings(ClusterSettings.from_env(project), api)


def wire_measurer(project: Project, target: Target, api: client.ApiClient) -> Callable[[], WireMatrix] | None:
    """How `networkpolicy.wire` gets its matrix: measured on local's real node while it runs.
    Nowhere else do our probe pods run, so there the check skips and says why."""
    if not target.local:
        return None
    node = NodeSettings(ClusterSettings.from_env(project))
    if not node_lifecycle.status(node).running:
        return None
    # One per smoke command or release run: a release's steps re-use the matrix while the pods and policies stay.
    return wire_matrix.Remembered(lambda: wire_matrix.measure(project, api, node, target.env),
                                  lambda: wire_matrix.cluster_state(api))
