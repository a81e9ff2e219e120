"""The mutation ratchet on what a change touched: the files of the three mutated packages changed
since the base ref's merge base are mutated, and must hold tests/mutation/baseline.json."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("mutation_ratchet.py")
# the base ref as the Makefile's BASE_REF names it; a clone without origin falls back to main
CANDIDATES = ("origin/main", "main")


def base_ref(root: Path) -> str | None:
    wanted = [os.environ["BASE_REF"]] if os.environ.get("BASE_REF") else list(CANDIDATES)
    for ref in wanted:
        known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=root, capture_output=True)
        if known.returncode == 0:
            return ref
    return None


@pytest.mark.slow
def test_changed_files_hold_the_mutation_baseline(repo_root):
    ref = base_ref(repo_root)
    if ref is None:
        pytest.skip("no base ref to compare with (set BASE_REF, or fetch origin/main)")
    run = subprocess.run([sys.executable, str(DRIVER), "--changed-since", ref], cwd=repo_root,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
