"""`python -m harness.deploy.cluster up|down|status|crds|certs`: the local cluster's command line."""

from __future__ import annotations

import argparse
import sys
import time

from ...core.errors import HarnessError
from . import certs, crds, lifecycle
from .client import api_client
from .settings import ClusterSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.deploy.cluster", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the local cluster (idempotent): control plane, nodes, CRDs")
    up.add_argument("--no-crds", action="store_true", help="skip installing the upstream CRDs")
    sub.add_parser("down", help="delete the local cluster and its kubeconfig (idempotent)")
    sub.add_parser("status", help="print whether the cluster runs, its nodes and kubeconfig")
    sub.add_parser("crds", help="install the pinned upstream CRDs into the local cluster")
    tls = sub.add_parser("certs", help="issue the Ingress TLS Secrets from the project CA (cert-manager stand-in)")
    tls.add_argument("--namespace", default="acme")
    args = parser.parse_args(argv)

    try:
        settings = ClusterSettings.from_env()
        started = time.monotonic()
        if args.command == "up":
            lines = lifecycle.up(settings, with_crds=not args.no_crds).lines()
            lines.append(f"took: {time.monotonic() - started:.1f} s")
        elif args.command == "down":
            lines = lifecycle.down(settings).lines()
        elif args.command == "status":
            state = lifecycle.status(settings)
            print("\n".join(state.lines()))
            return 0 if state.running else 3
        elif args.command == "crds":
            lines = [f"crds: applied {crds.apply(settings.crds_module, settings.binary('kubectl'), settings.env())} files"]
        else:
            ca = certs.load_or_create_ca(settings.kubeconfig.parent / "ca")
            made = certs.ensure_tls_secrets(api_client(settings.kubeconfig, settings.context), args.namespace, ca)
            lines = [f"certs: issued {', '.join(made) or 'nothing (all present)'}"]
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2  # bad input or environment
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
