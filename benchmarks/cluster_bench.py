"""Cluster benchmark: start time, apply time, smoke time, and smoke time over 1,000 pods.

Destructive on purpose: it deletes the local cluster first so the start is a cold one,
then deploys the local environment again (so it ends as `make demo` leaves it, minus the
throwaway Deployment it scales and removes).

Usage: .venv/bin/python benchmarks/cluster_bench.py [--pods 1000] [--keep-running] [--reuse-cluster]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubernetes import client  # noqa: E402

from harness.deploy.cluster import certs, lifecycle  # noqa: E402
from harness.deploy.cluster.client import api_client  # noqa: E402
from harness.deploy.cluster.settings import ClusterSettings  # noqa: E402
from harness.core.errors import HarnessError  # noqa: E402
from harness.core.project import Project  # noqa: E402
from harness.deploy.smoke import runner
from harness.live import snapshot  # noqa: E402
from harness.deploy.release.deploy import helmfile_apply  # noqa: E402
from harness.live.settings import SmokeSettings  # noqa: E402
from harness.deploy.target import target_for  # noqa: E402

NAMESPACE = "acme"
SCALE = "bench-scale"


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.monotonic()
    value = action()
    print(f"{label:<46} {time.monotonic() - started:8.2f} s", flush=True)
    return value


def scale_deployment(pods: int) -> dict[str, Any]:
    """A restricted-compliant Deployment whose pods carry the Acme label, so smoke lists them."""
    labels = {"app.kubernetes.io/name": SCALE, "app.kubernetes.io/part-of": "acme", "app.kubernetes.io/component": "bench"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": SCALE, "labels": labels},
        "spec": {"replicas": pods, "selector": {"matchLabels": {"app.kubernetes.io/name": SCALE}},
                 "template": {"metadata": {"labels": labels}, "spec": {
                     "automountServiceAccountToken": False,
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{"name": "app", "image": "registry.example/bench:1.0.0",
                                     "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}},
                                     "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}}},
    }


def wait_available(apps: client.AppsV1Api, pods: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while (apps.read_namespaced_deployment(SCALE, NAMESPACE).status.available_replicas or 0) < pods:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {SCALE} did not reach {pods} available pods in {timeout:.0f} s")
        time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--keep-running", action="store_true", help="leave the cluster up afterwards")
    parser.add_argument("--reuse-cluster", action="store_true",
                        help="skip reset/start/apply: measure smoke on the environment already deployed")
    args = parser.parse_args()

    project = Project.discover(ROOT)
    cluster = ClusterSettings.from_env(project)
    if not args.reuse_cluster:
        timed("cluster down (reset)", lambda: lifecycle.down(cluster))
        timed("cluster up, cold (control plane, nodes, CRDs)", lambda: lifecycle.up(cluster))
        timed("cluster up, already running (idempotent)", lambda: lifecycle.up(cluster))
    api = api_client(cluster.kubeconfig, cluster.context)
    if not args.reuse_cluster:
        target = target_for("local")
        timed("helmfile -e local apply (fresh)", lambda: helmfile_apply(project, target, cluster.context))
        timed("helmfile -e local apply (no change)", lambda: helmfile_apply(project, target, cluster.context))
        certs.ensure_tls_secrets(api, NAMESPACE, certs.load_or_create_ca(cluster.kubeconfig.parent / "ca"))
    settings = SmokeSettings(namespace=NAMESPACE)
    timed("smoke until settled", lambda: runner.run_until_settled(lambda: snapshot.load(api, NAMESPACE), settings, 120))
    pods = len(snapshot.load(api, NAMESPACE).pods)
    outcomes = timed(f"smoke, one pass ({pods} pods)", lambda: runner.run(snapshot.load(api, NAMESPACE), settings))
    if runner.failed(outcomes):
        raise SystemExit("bench: smoke fails on the deployed environment; fix that first")

    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(NAMESPACE, scale_deployment(args.pods))
    try:
        timed(f"scale a throwaway Deployment to {args.pods} ready", lambda: wait_available(apps, args.pods))
        snap = timed("smoke snapshot alone (list calls)", lambda: snapshot.load(api, NAMESPACE))
        timed(f"smoke checks alone ({len(snap.pods)} pods)", lambda: runner.run(snap, settings))
        timed(f"smoke, one pass ({len(snap.pods)} pods)", lambda: runner.run(snapshot.load(api, NAMESPACE), settings))
    finally:
        apps.delete_namespaced_deployment(SCALE, NAMESPACE)
    if not args.keep_running:
        timed("cluster down", lambda: lifecycle.down(cluster))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HarnessError as err:
        sys.exit(f"bench: {err}")
