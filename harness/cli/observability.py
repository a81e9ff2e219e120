"""`harness observability prometheus-config`: the Prometheus configuration an environment's monitors mean."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.project import Project
from .base import OK, command, group


def add_commands(sub: argparse._SubParsersAction) -> None:
    observability = group(sub, "observability", "prometheus-config: Prometheus without the operator, from the "
                                                "charts' monitors and rules")
    config = command(observability, "prometheus-config", _prometheus_config,
                     "write prometheus.yml and rules/ for an environment, checked by promtool")
    config.add_argument("--env", required=True)
    config.add_argument("--out", type=Path, required=True, help="directory for prometheus.yml and rules/")
    # A path on the machine Prometheus runs on, written into the configuration: it need not exist here.
    config.add_argument("--kubeconfig", default="",
                        help="kubeconfig_file of the service discovery (Prometheus outside the cluster)")
    config.add_argument("--alertmanager", action="append", default=[], metavar="HOST:PORT")


def _prometheus_config(args: argparse.Namespace) -> int:
    from ..deploy.observability import prometheus_files
    from ..deploy.observability.scrape_config import Options
    from ..publish.environments import environment_scenarios

    project = Project.discover()
    (scenario,) = environment_scenarios(project, [args.env])
    args.out.mkdir(parents=True, exist_ok=True)
    config = prometheus_files.write(scenario.manifests, args.out,
                                    Options(kubeconfig=args.kubeconfig, alertmanagers=args.alertmanager))
    prometheus_files.check(project.tool("promtool"), config)
    print(config)
    return OK
