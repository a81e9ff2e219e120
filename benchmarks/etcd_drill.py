"""etcd drill benchmark: snapshot the local control plane, delete the acme namespace, restore, and
time each step (the same drill as tests/e2e/test_etcd_drill.py, which asserts on it).

Needs the local cluster with the local environment deployed (`make demo`, or `make cluster-up` and
`helmfile -e local apply`); leaves it as it found it.

Usage: .venv/bin/python benchmarks/etcd_drill.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.core.errors import HarnessError  # noqa: E402
from harness.deploy.cluster import etcd_drill  # noqa: E402
from harness.deploy.cluster.client import api_client  # noqa: E402
from harness.deploy.cluster.settings import ClusterSettings  # noqa: E402

NAMESPACE = "acme"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    try:
        settings = ClusterSettings.from_env()
        api = api_client(settings.kubeconfig, settings.context)
        results = []
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="etcd-drill-") as workdir:
                result = etcd_drill.run_drill(settings, api, NAMESPACE, Path(workdir))
            if result.after != result.before:
                print(f"run {run}: the namespace did not come back whole: missing {result.after.missing}", file=sys.stderr)
                return 1
            results.append(result)
            print(f"run {run}: " + "; ".join(result.lines()), flush=True)
    except HarnessError as err:
        print(err, file=sys.stderr)
        return 2
    rows = {"snapshot save (s)": [r.saved.seconds for r in results],
            "namespace delete (s)": [r.delete_seconds for r in results],
            "restore, kwokctl (s)": [r.restored.restore_seconds for r in results],
            "restore until ready, nodes held (s)": [r.restored.ready_seconds for r in results],
            "drill total (s)": [r.total_seconds for r in results]}
    first = results[0]
    print(f"\netcd drill over {len(results)} runs: snapshot {first.saved.snapshot.size / 2**20:.1f} MiB, "
          f"{first.saved.snapshot.keys} keys; {len(first.before.objects)} objects and "
          f"{len(first.before.releases)} release records back with their UIDs every time")
    print(f"{'step':<30} {'median':>8} {'min':>8} {'max':>8}")
    for label, values in rows.items():
        print(f"{label:<30} {statistics.median(values):8.2f} {min(values):8.2f} {max(values):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
