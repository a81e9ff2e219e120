"""The real node's Prometheus: the scrape configuration the local environment's own monitors and
rules mean (the operator's semantics without the operator, harness/deploy/observability), and the
address its API answers on. prometheus-operator is not run: it is a controller of its own with
a large dependency tree, and the generator already reproduces its output (held against the
operator's own code by the scrape-oracle tests)."""

from __future__ import annotations

import hashlib
import json

from ...publish.environments import environment_scenarios
from ..observability import prometheus_files
from ..observability.scrape_config import Options
from . import alertmanager
from .settings import NodeSettings

PORT = 9090  # host port on the node's address


def config_files(settings: NodeSettings) -> dict[str, str]:
    """prometheus.yml and the rule files for the local environment, accepted by promtool; alerts go to
    the node's Alertmanager, and the alert-delivered check's synthetic rule files are read too."""
    project = settings.cluster.project
    (scenario,) = environment_scenarios(project, ["local"])
    options = Options(rule_files=[f"{alertmanager.RULES_MOUNT}/*.yaml"], alertmanagers=[alertmanager.address(settings)])
    return prometheus_files.checked_contents(project.tool("promtool"), scenario.manifests, options)


def placeholders(settings: NodeSettings) -> dict[str, str]:
    files = config_files(settings)
    text = json.dumps(files, sort_keys=True)  # JSON is YAML: the ConfigMap's data as one flow map
    return {"config_files": text, "config_checksum": hashlib.sha256(text.encode()).hexdigest(),
            "port": str(PORT), "synthetic_rules": str(alertmanager.rules_dir(settings))}


def base_url(settings: NodeSettings) -> str:
    return f"http://{settings.node_ip}:{PORT}"
