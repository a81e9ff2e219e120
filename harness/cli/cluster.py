"""The local cluster's commands: `harness cluster up|down|status|crds|certs|snapshot|restore` and
`harness node up|down|status`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .base import FAILED, OK, command, existing_file, group


def add_commands(sub: argparse._SubParsersAction) -> None:
    cluster = group(sub, "cluster", "up|down|status|crds|certs|snapshot|restore: the local cluster, a control plane "
                                    "with kwok nodes")
    up = command(cluster, "up", _cluster_up, "start the local cluster (idempotent): control plane, nodes, CRDs")
    up.add_argument("--no-crds", action="store_true", help="skip installing the upstream CRDs")
    command(cluster, "down", _cluster_down, "delete the local cluster and its kubeconfig (idempotent)")
    command(cluster, "status", _cluster_status, "whether the cluster runs, its nodes and kubeconfig; exit 1 when not")
    command(cluster, "crds", _cluster_crds, "install the pinned upstream CRDs into the local cluster")
    certs = command(cluster, "certs", _cluster_certs,
                    "issue the Ingress TLS Secrets from the project CA (cert-manager stand-in)")
    certs.add_argument("--namespace", default="acme")
    snapshot = command(cluster, "snapshot", _cluster_snapshot, "save the control plane's etcd to a new file")
    snapshot.add_argument("file", type=Path, metavar="FILE", help="where the snapshot goes (must not exist)")
    restore = command(cluster, "restore", _cluster_restore,
                      "replace the control plane's etcd by a snapshot file; back when the API server is ready")
    restore.add_argument("file", type=existing_file, metavar="FILE", help="a file `harness cluster snapshot` wrote")

    node = group(sub, "node", "up|down|status: the local cluster's real node on its own (root; docs/real-node.md)")
    command(node, "up", _node_up, "start the node's sandbox and daemons; join the control plane when it runs")
    command(node, "down", _node_down, "leave the control plane and remove the sandbox (idempotent)")
    command(node, "status", _node_status, "whether the node runs; exit 1 when not")


def _cluster_settings():
    from ..deploy.cluster.settings import ClusterSettings

    return ClusterSettings.from_env()


def _cluster_up(args: argparse.Namespace) -> int:
    from ..deploy.cluster import lifecycle

    started = time.monotonic()
    state = lifecycle.up(_cluster_settings(), with_crds=not args.no_crds)
    print("\n".join([*state.lines(), f"took: {time.monotonic() - started:.1f} s"]))
    return OK


def _cluster_down(args: argparse.Namespace) -> int:
    from ..deploy.cluster import lifecycle

    print("\n".join(lifecycle.down(_cluster_settings()).lines()))
    return OK


def _cluster_status(args: argparse.Namespace) -> int:
    from ..deploy.cluster import lifecycle

    state = lifecycle.status(_cluster_settings())
    print("\n".join(state.lines()))
    return OK if state.running else FAILED


def _cluster_crds(args: argparse.Namespace) -> int:
    from ..deploy.cluster import crds

    settings = _cluster_settings()
    print(f"crds: applied {crds.apply(settings.crds_module, settings.binary('kubectl'), settings.env())} files")
    return OK


def _cluster_certs(args: argparse.Namespace) -> int:
    from ..deploy.cluster import certs
    from ..deploy.cluster.client import api_client

    settings = _cluster_settings()
    ca = certs.load_or_create_ca(settings.tls_ca_dir)
    made = certs.ensure_tls_secrets(api_client(settings.kubeconfig, settings.context), args.namespace, ca)
    print(f"certs: issued {', '.join(made) or 'nothing (all present)'}")
    return OK


def _cluster_snapshot(args: argparse.Namespace) -> int:
    from ..deploy.cluster import etcd_snapshot

    print("\n".join(etcd_snapshot.save(_cluster_settings(), args.file).lines()))
    return OK


def _cluster_restore(args: argparse.Namespace) -> int:
    from ..deploy.cluster import etcd_snapshot

    print("\n".join(etcd_snapshot.restore(_cluster_settings(), args.file).lines()))
    return OK


def _node_settings():
    from ..deploy.node.settings import NodeSettings

    return NodeSettings.from_env()


def _control_plane(settings):
    """The local control plane's client when it runs, else None (the node then runs unjoined)."""
    from ..deploy.cluster.client import api_client, reachable

    cluster = settings.cluster
    if not cluster.kubeconfig.exists():
        return None
    api = api_client(cluster.kubeconfig, cluster.context)
    return api if reachable(api) else None


def _node_up(args: argparse.Namespace) -> int:
    from ..deploy.node import join, lifecycle

    settings, started = _node_settings(), time.monotonic()
    state = lifecycle.up(settings)
    api = _control_plane(settings)
    if api is not None:
        state = join.join(settings, api)
    print("\n".join([*state.lines(), f"took: {time.monotonic() - started:.2f} s"]))
    return OK if state.running else FAILED


def _node_down(args: argparse.Namespace) -> int:
    from ..deploy.node import join

    settings, started = _node_settings(), time.monotonic()
    state = join.leave(settings, _control_plane(settings))
    print("\n".join([*state.lines(), f"took: {time.monotonic() - started:.2f} s"]))
    return OK


def _node_status(args: argparse.Namespace) -> int:
    from ..deploy.node import lifecycle

    state = lifecycle.status(_node_settings())
    print("\n".join(state.lines()))
    return OK if state.running else FAILED
