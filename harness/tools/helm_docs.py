"""helm-docs, which writes a chart's README values table from the comments in values.yaml."""

from __future__ import annotations

from pathlib import Path

from .process import Ran, run


def generate(helm_docs: Path, chart_search_root: Path) -> Ran:
    return run([helm_docs, "--chart-search-root", chart_search_root], cwd=chart_search_root.parent,
               what=f"helm-docs {chart_search_root.name}")
