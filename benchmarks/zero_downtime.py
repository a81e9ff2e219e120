"""Zero-downtime benchmark on the real node: a steady stream through the edge to both public
hosts (vegeta, --rate requests/s) during a rolling restart of acme-ui and of acme-api and an
eviction of one acme-ui pod, --rounds times each; then the control, one acme-ui pod's processes
killed at once (a crash). Prints requests, failures and p50/p99 per drill and URL.

Needs the local environment deployed on the real node (a root `make demo`).

Usage: .venv/bin/python benchmarks/zero_downtime.py [--rounds 2] [--rate 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.core.errors import HarnessError  # noqa: E402
from harness.deploy import drills  # noqa: E402
from harness.deploy.cluster.client import api_client, reachable  # noqa: E402
from harness.deploy.cluster.settings import ClusterSettings  # noqa: E402
from harness.deploy.node import lifecycle  # noqa: E402
from harness.deploy.node.settings import NodeSettings  # noqa: E402

NAMESPACE = "acme"
DRILLS = [("rollout acme-ui", drills.restart, "acme-ui"), ("rollout acme-api", drills.restart, "acme-api"),
          ("evict one acme-ui pod", drills.evict_one, "acme-ui")]
CONTROL = ("control: one acme-ui pod crashes", drills.crash_one, "acme-ui")


def run(name: str, action, workload: str, api, node: NodeSettings, rate: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        summaries, seconds = drills.under_traffic(api, node, NAMESPACE, workload, action, rate, Path(scratch))
    print(f"{name} ({seconds:.1f} s)")
    for summary in summaries:
        print(f"  {summary.line()}")
    return sum(s.failed for s in summaries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=int, default=20)
    args = parser.parse_args()
    try:
        cluster = ClusterSettings.from_env()
        node = NodeSettings(cluster)
        api = api_client(cluster.kubeconfig, cluster.context) if cluster.kubeconfig.exists() else None
        if api is None or not reachable(api) or not lifecycle.status(node).running:
            raise HarnessError("zero_downtime needs the local environment on the real node: make demo (as root)")
        failed = sum(run(name, action, workload, api, node, args.rate)
                     for _ in range(args.rounds) for name, action, workload in DRILLS)
        print(f"all drills: {failed} failed requests")
        run(*CONTROL, api, node, args.rate)
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
