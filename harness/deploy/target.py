"""Which cluster an environment means, and the guard before touching a non-local one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from kubernetes import config

from .cluster.settings import ClusterSettings
from ..core.errors import HarnessError

ENVIRONMENTS = ("local", "staging", "production")


@dataclass(frozen=True)
class Target:
    env: str
    kubeconfig: Path | None  # None: $KUBECONFIG or ~/.kube/config, as kubectl would
    context: str | None

    @property
    def local(self) -> bool:
        return self.env == "local"


def target_for(env: str, kubeconfig: str | None = None, context: str | None = None) -> Target:
    if env not in ENVIRONMENTS:
        raise HarnessError(f"unknown environment {env!r}; expected one of {', '.join(ENVIRONMENTS)}")
    if env == "local":
        if kubeconfig:
            # The local environment always means the harness's own cluster; a kubeconfig given
            # here would otherwise be ignored silently and the checks would run elsewhere.
            raise HarnessError(f"--kubeconfig {kubeconfig} cannot apply to --env local (it uses the local cluster's "
                               "own kubeconfig); drop it or choose --env staging|production")
        cluster = ClusterSettings.from_env()
        if not cluster.kubeconfig.exists():
            raise HarnessError(f"no local cluster: {cluster.kubeconfig} missing; run `python -m harness.deploy.cluster up`")
        return Target(env, cluster.kubeconfig, context or cluster.context)
    path = Path(kubeconfig) if kubeconfig else None
    if path is not None and not path.exists():
        raise HarnessError(f"kubeconfig {path} not found")
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
