"""`python -m harness.deploy.node up|down|status`: the real node on its own. `up` joins it to the
local control plane when that runs (make cluster-up); the cluster commands call the same functions."""

from __future__ import annotations

import argparse
import sys
import time

from kubernetes import client

from ...core.errors import HarnessError
from ..cluster.client import api_client, reachable
from . import join, lifecycle
from .settings import NodeSettings


def _control_plane(settings: NodeSettings) -> client.ApiClient | None:
    cluster = settings.cluster
    if not cluster.kubeconfig.exists():
        return None
    api = api_client(cluster.kubeconfig, cluster.context)
    return api if reachable(api) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.deploy.node", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    try:
        settings = NodeSettings.from_env()
        started = time.monotonic()
        if args.command == "up":
            state = lifecycle.up(settings)
            api = _control_plane(settings)
            if api is not None:
                state = join.join(settings, api)
        elif args.command == "down":
            state = join.leave(settings, _control_plane(settings))
        else:
            state = lifecycle.status(settings)
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2  # bad input or environment, a machine that cannot run a node included
    lines = state.lines()
    if args.command != "status":
        lines.append(f"took: {time.monotonic() - started:.2f} s")
    print("\n".join(lines))
    return 0 if state.running or args.command == "down" else 3


if __name__ == "__main__":
    sys.exit(main())
