"""prometheus.yml and its rule files, as file contents or written into one directory, and checked
by the pinned promtool."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ...core.errors import HarnessError
from ...core.manifests import Manifests
from ...core.yamlio import dump_yaml
from ...tools import promtool
from .scrape_config import Options, configuration, rule_files

CONFIG = "prometheus.yml"
RULES_DIR = "rules"


def contents(manifests: Manifests, options: Options, rules_dir: str = RULES_DIR) -> dict[str, str]:
    """file name -> text: prometheus.yml naming <rules_dir>/<namespace>-<name>.yaml, one per
    PrometheusRule. Prometheus resolves the names relative to prometheus.yml, so rules_dir ""
    keeps every file beside it (a ConfigMap's keys hold no '/')."""
    rules = {"/".join(filter(None, (rules_dir, name))): dump_yaml(content)
             for name, content in rule_files(manifests).items()}
    named = Options(**{**options.__dict__, "rule_files": [*options.rule_files, *rules]})
    return {CONFIG: dump_yaml(configuration(manifests, named)), **rules}


def write(manifests: Manifests, directory: Path, options: Options, rules_dir: str = RULES_DIR) -> Path:
    """The files into DIR; returns DIR/prometheus.yml."""
    for name, text in contents(manifests, options, rules_dir).items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
    return directory / CONFIG


def check(binary: Path, config: Path) -> None:
    """promtool check config (rule files included); its complaints as one error."""
    complaints = promtool.check_config(binary, config)
    if complaints:
        raise HarnessError(f"promtool check config {config}: {'; '.join(complaints)}")


def checked_contents(binary: Path, manifests: Manifests, options: Options) -> dict[str, str]:
    """The flat files (rules beside prometheus.yml), refused unless promtool accepts them."""
    files = contents(manifests, options, rules_dir="")
    with tempfile.TemporaryDirectory(prefix="acme-prometheus-") as directory:
        for name, text in files.items():
            (Path(directory) / name).write_text(text)
        check(binary, Path(directory) / CONFIG)
    return files
