"""`python -m harness.deploy.observability prometheus-config --env ENV --out DIR`: the Prometheus
configuration the environment's monitors and rules mean, written and checked by promtool."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...core.errors import HarnessError
from ...core.project import Project
from ...publish.environments import environment_scenarios
from . import prometheus_files
from .scrape_config import Options


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m harness.deploy.observability", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    config = sub.add_parser("prometheus-config", help="write prometheus.yml and rules/ for ENV, check with promtool")
    config.add_argument("--env", required=True)
    config.add_argument("--out", type=Path, required=True, help="directory for prometheus.yml and rules/")
    config.add_argument("--kubeconfig", default="", help="kubeconfig_file of the service discovery (Prometheus outside the cluster)")
    config.add_argument("--alertmanager", action="append", default=[], metavar="HOST:PORT")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        project = Project.discover()
        (scenario,) = environment_scenarios(project, [args.env])
        args.out.mkdir(parents=True, exist_ok=True)
        config = prometheus_files.write(scenario.manifests, args.out,
                                        Options(kubeconfig=args.kubeconfig, alertmanagers=args.alertmanager))
        prometheus_files.check(project.tool("promtool"), config)
    except HarnessError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
