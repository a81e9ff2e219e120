"""Real-node benchmark: sandbox up and down (median of N rounds on a port of its own), and, when
the local cluster runs, the join: containerd, the local images, kubelet until the Node is Ready,
kube-proxy, kube-router, then the cluster DNS and the edge until each is Available.

Needs root. The join rounds use the clone's own node (ACME_CLUSTER_PORT) and leave it joined.

Usage: sudo .venv/bin/python benchmarks/node_bench.py [--rounds 5] [--join]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.core.errors import HarnessError  # noqa: E402
from harness.core.project import Project  # noqa: E402
from harness.deploy.cluster.client import api_client, reachable  # noqa: E402
from harness.deploy.cluster.settings import ClusterSettings  # noqa: E402
from harness.deploy.node import join, lifecycle  # noqa: E402
from harness.deploy.node.settings import NodeSettings  # noqa: E402


def sandbox_rounds(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = NodeSettings(ClusterSettings(Project(Path(scratch)), port=ClusterSettings.from_env().port + 127))
        ups, downs = [], []
        for _ in range(rounds):
            started = time.monotonic()
            lifecycle.up(settings)
            ups.append(time.monotonic() - started)
            started = time.monotonic()
            lifecycle.down(settings)
            downs.append(time.monotonic() - started)
    print(f"{'sandbox up (median of ' + str(rounds) + ')':<46} {statistics.median(ups):8.2f} s")
    print(f"{'sandbox down (median of ' + str(rounds) + ')':<46} {statistics.median(downs):8.2f} s")


def join_round() -> None:
    cluster = ClusterSettings.from_env()
    api = api_client(cluster.kubeconfig, cluster.context) if cluster.kubeconfig.exists() else None
    if api is None or not reachable(api):
        raise HarnessError("node bench --join needs the local cluster: make cluster-up")
    settings = NodeSettings(cluster)
    started = time.monotonic()
    join.leave(settings, api)
    print(f"{'leave (node down, Node deleted)':<46} {time.monotonic() - started:8.2f} s")
    started = time.monotonic()
    state = join.join(settings, api)
    print(f"{'join (sandbox to Node Ready)':<46} {time.monotonic() - started:8.2f} s")
    print(f"{'  of which kubelet start to Ready':<46} {state.ready_after or 0:8.2f} s")
    for name, seconds in state.available_after.items():
        print(f"{'  ' + name + ' applied to Available':<46} {seconds:8.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--join", action="store_true", help="also time a leave and a join of the clone's node")
    args = parser.parse_args()
    try:
        sandbox_rounds(args.rounds)
        if args.join:
            join_round()
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
