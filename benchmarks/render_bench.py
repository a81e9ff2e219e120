"""Render benchmark: the harness against plain helm on the same full-matrix renders.

Prints, for the full matrix (every chart case, reference render and base-ref render):
  - harness, cold cache: render + parse + checks (what `make test-render` costs from scratch)
  - harness render stage alone, cold cache (helm in parallel + parse + cache writes)
  - plain sequential `helm template` loop over the same commands
  - helm only, same commands at the same parallelism (the floor the harness is measured against)
  - the overhead ratio of the render stage over helm-only at the same parallelism (target <= 1.25)
  - the unchanged rerun of `harness check` as a fresh process (target < 1 s)

Usage: .venv/bin/python benchmarks/render_bench.py [--repeat N] [--jobs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.render.baseline import resolve_baseline  # noqa: E402
from harness.render.pipeline import (RunOptions, Selection, all_jobs, base_jobs_for, build_scenarios,  # noqa: E402
                              plan_scenarios, run_checks)
from harness.core.project import Project  # noqa: E402
from harness.checks.registry import Subject, all_checks  # noqa: E402
from harness.render.renderer import Renderer  # noqa: E402


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_of(repeat: int, action) -> float:
    return statistics.median(timed(action) for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--jobs", type=int, default=None, help="parallelism (default: cores)")
    args = parser.parse_args()

    project = Project.discover(ROOT)
    plans = plan_scenarios(project, Selection())
    jobs = all_jobs(plans, base_jobs_for(project, plans, resolve_baseline(project, None)))
    probe = Renderer(project, args.jobs)
    workers = probe.workers
    for chart_dir in {j.chart_dir for j in jobs}:
        probe.ensure_dependencies(chart_dir)
    commands = []
    with tempfile.TemporaryDirectory() as scratch:
        for job in jobs:
            inline = None
            if job.inline_values:
                inline = Path(scratch) / f"{len(commands)}.yaml"
                inline.write_text(job.inline_values)
            commands.append(probe.command(job, inline))

        def run_helm(cmd):
            subprocess.run(cmd, capture_output=True, check=False)

        def harness_full():
            with tempfile.TemporaryDirectory() as cache:
                renderer = Renderer(project, args.jobs, cache_dir=Path(cache))
                scenarios = build_scenarios(project, plans, renderer, RunOptions(workers=args.jobs), True)
                run_checks(scenarios, all_checks(Subject.SCENARIO))

        def harness_render():
            with tempfile.TemporaryDirectory() as cache:
                Renderer(project, args.jobs, cache_dir=Path(cache)).render_all(jobs)

        def helm_sequential():
            for cmd in commands:
                run_helm(cmd)

        def helm_parallel():
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run_helm, commands))

        # Interleaved rounds, so load from other processes hits every figure alike.
        rounds = {"full": [], "render": [], "sequential": [], "parallel": []}
        for _ in range(args.repeat):
            for name, action in (("full", harness_full), ("render", harness_render),
                                 ("sequential", helm_sequential), ("parallel", helm_parallel)):
                rounds[name].append(timed(action))
        full, render, sequential, parallel = (statistics.median(rounds[n]) for n in rounds)

    cli = [sys.executable, "-m", "harness", "check", "--format", "json", "--output", "/dev/null"]
    subprocess.run(cli, cwd=ROOT, capture_output=True)  # warm the real cache
    rerun = median_of(args.repeat, lambda: subprocess.run(cli, cwd=ROOT, capture_output=True))

    print(f"full matrix: {len(plans)} scenarios, {len(jobs)} distinct helm renders, {workers} workers, "
          f"median of {args.repeat}")
    print(f"harness check, cold cache (render+parse+checks): {full:6.2f} s")
    print(f"harness render stage, cold cache:                {render:6.2f} s")
    print(f"plain sequential helm template loop:             {sequential:6.2f} s")
    print(f"helm only, same parallelism ({workers} workers):          {parallel:6.2f} s")
    print(f"overhead, render stage vs helm only:             {render / parallel:6.2f}x "
          f"({(render / parallel - 1) * 100:+.0f}%, target <= +25%)")
    print(f"overhead, full check vs helm only:               {full / parallel:6.2f}x ({(full / parallel - 1) * 100:+.0f}%)")
    print(f"unchanged rerun (harness check):                 {rerun:6.2f} s (target < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
