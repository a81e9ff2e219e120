"""Offline schema validation benchmark: `schema.kubernetes` over every scenario of `make test-render`.

Prints the number of scenarios and objects validated, findings and skips, and the time of the
schema check alone (renders come from the render cache and are not counted):
  - cold: no OpenAPI cache (CRD documents built from the CRD YAML, every object validated)
  - warm: a fresh process's view with the cache written by the cold run (verdicts reused)
  - kubeconform layout: writing the same schemas in kubeconform's standalone-strict layout

Usage: .venv/bin/python benchmarks/schema_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.checks.registry import all_checks  # noqa: E402
from harness.checks.run import run_checks  # noqa: E402
from harness.core.project import Project  # noqa: E402
from harness.render.pipeline import RunOptions, Selection, build_scenarios, plan_scenarios  # noqa: E402
from harness.render.renderer import Renderer  # noqa: E402
from harness.render.schemas import OpenAPISchemas  # noqa: E402
from harness.render.standalone import write_standalone  # noqa: E402


def main() -> int:
    project = Project(ROOT)
    plans = plan_scenarios(project, Selection())
    scenarios = build_scenarios(project, plans, Renderer(project), RunOptions(), needs_baseline=False,
                                needs_schemas=False)
    check = [c for c in all_checks() if c.id == "schema.kubernetes"]
    objects = sum(len(s.manifests) for s in scenarios)
    with tempfile.TemporaryDirectory(prefix="schema-bench-") as tmp:
        cache = Path(tmp)
        for label in ("cold", "warm"):
            started = time.perf_counter()
            schemas = OpenAPISchemas.pinned(ROOT, cache)
            for scenario in scenarios:
                scenario.schemas = schemas
            outcomes = run_checks(scenarios, check)
            elapsed = time.perf_counter() - started
            findings = sum(len(o.findings) for o in outcomes)
            skipped = sum(1 for o in outcomes if o.skipped)
            print(f"{label}: {len(scenarios)} scenarios, {objects} objects, {findings} findings, "
                  f"{skipped} skipped in {elapsed:.2f} s")
        started = time.perf_counter()
        target = write_standalone(OpenAPISchemas.pinned(ROOT, cache), cache / "kubeconform", project.kube_version)
        files = sum(1 for _ in target.rglob("*.json"))
        print(f"kubeconform layout: {files} schema files in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
