"""prometheus.yml and its rule files written into one directory, and checked by the pinned promtool."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import HarnessError
from ...core.manifests import Manifests
from ...core.yamlio import dump_yaml
from ...tools import promtool
from .scrape_config import Options, configuration, rule_files

CONFIG = "prometheus.yml"
RULES_DIR = "rules"


def write(manifests: Manifests, directory: Path, options: Options) -> Path:
    """DIR/prometheus.yml naming DIR/rules/<namespace>-<name>.yaml, one per PrometheusRule."""
    rules = rule_files(manifests)
    (directory / RULES_DIR).mkdir(parents=True, exist_ok=True)
    for name, content in rules.items():
        (directory / RULES_DIR / name).write_text(dump_yaml(content))
    named = Options(**{**options.__dict__, "rule_files": [*options.rule_files, *(f"{RULES_DIR}/{n}" for n in rules)]})
    config = directory / CONFIG
    config.write_text(dump_yaml(configuration(manifests, named)))
    return config


def check(binary: Path, config: Path) -> None:
    """promtool check config (rule files included); its complaints as one error."""
    complaints = promtool.check_config(binary, config)
    if complaints:
        raise HarnessError(f"promtool check config {config}: {'; '.join(complaints)}")
