"""The mutation ratchet on what a change touched: the files of the three mutated packages changed
since the base ref's merge base are mutated, and must hold tests/mutation/baseline.json."""

from __future__ import annotations

import importlib.util
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


def _driver():
    spec = importlib.util.spec_from_file_location("mutation_ratchet", DRIVER)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_file_measured_at_its_present_content_is_not_mutated_again():
    driver = _driver()
    file = driver.package_files("netpol")[0]
    digest = driver.content_digest(file)
    measured = {"files": {file: {"killed": 1, "total": 1, "digest": digest}}}
    assert driver.measured_as_is(measured, [file]) == [file]
    # another content, or an entry from before digests were recorded, is mutated
    assert driver.measured_as_is({"files": {file: {"killed": 1, "total": 1, "digest": "0" * 16}}}, [file]) == []
    assert driver.measured_as_is({"files": {file: {"killed": 1, "total": 1}}}, [file]) == []
    assert driver.measured_as_is({"files": {}}, [file]) == []
