"""The pinned toolchain: every linked tool reports its pin, and build-tools.sh fails clearly."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TOOLS = ROOT / "tools" / "build-tools.sh"
TOOLS_BIN = ROOT / ".tools" / "bin"


def read_tool_env(family: Path) -> dict[str, str]:
    """Evaluates tool.env the way build-tools.sh does and returns its variables."""
    script = f". {shlex.quote(str(family / 'tool.env'))}; printf '%s\\0%s\\0' \"$VERSION\" \"$VERSION_CHECK\""
    version, check, _ = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split("\0")
    return {"VERSION": version, "VERSION_CHECK": check}


FAMILIES = sorted(p.parent for p in (ROOT / "tools").glob("*/tool.env"))


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_linked_tool_reports_pinned_version(family: Path) -> None:
    env = read_tool_env(family)
    command = shlex.split(env["VERSION_CHECK"])
    result = subprocess.run([str(TOOLS_BIN / command[0]), *command[1:]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert env["VERSION"].lstrip("v") in output, f"{family.name}: {env['VERSION']} not in {output!r}"
    assert "v0.0.0-master" not in output


def test_kube_apiserver_is_a_real_release() -> None:
    out = subprocess.run([str(TOOLS_BIN / "kube-apiserver"), "--version"], capture_output=True, text=True, check=True).stdout
    assert re.fullmatch(r"Kubernetes v1\.3\d\.\d+\n", out), out


def test_go_modules_pin_every_byte() -> None:
    for family in FAMILIES:
        if (family / "go.mod").exists():
            assert (family / "go.sum").stat().st_size > 0, f"{family.name}: go.sum missing"


@pytest.fixture
def tool_cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def run_build_tools(cache: Path, path: str, *families: str) -> subprocess.CompletedProcess[str]:
    """Runs build-tools.sh against a private cache and bin dir, never the shared ones."""
    env = {**os.environ, "ACME_TOOLS_CACHE": str(cache), "ACME_TOOLS_BIN": str(cache / "bin"), "PATH": path}
    return subprocess.run(["bash", str(BUILD_TOOLS), *families], capture_output=True, text=True, env=env, timeout=120)


def test_missing_go_names_the_toolchain_and_the_retry(tool_cache: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    for tool in ("bash", "cat", "sha256sum", "cut", "mkdir", "dirname", "wc", "grep", "ln", "rm"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        (bare / tool).symlink_to(found)
    result = run_build_tools(tool_cache, str(bare), "helm4")
    assert result.returncode != 0
    assert "no Go toolchain on PATH" in result.stderr and "make tools" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_family_is_rejected_by_name(tool_cache: Path) -> None:
    result = run_build_tools(tool_cache, os.environ["PATH"], "no-such-tool")
    assert result.returncode != 0
    assert "unknown tool family 'no-such-tool'" in result.stderr


def test_pinned_tool_on_path_is_used_instead_of_building(tool_cache: Path, tmp_path: Path) -> None:
    """A user's own helm at the pinned version is linked, not rebuilt; another version is not."""
    user_bin = tmp_path / "user-bin"
    user_bin.mkdir()
    fake = user_bin / "helm-docs"
    version = read_tool_env(ROOT / "tools" / "helm-docs")["VERSION"].lstrip("v")
    fake.write_text(f"#!/bin/sh\necho 'helm-docs version {version}'\n")
    fake.chmod(0o755)
    result = run_build_tools(tool_cache, f"{user_bin}:{os.environ['PATH']}", "helm-docs")
    assert result.returncode == 0, result.stderr
    assert f"using {fake}" in result.stdout
    assert (tool_cache / "bin" / "helm-docs").resolve() == fake.resolve()


def test_tool_on_path_at_another_version_is_not_used(tool_cache: Path, tmp_path: Path) -> None:
    user_bin = tmp_path / "user-bin"
    user_bin.mkdir()
    fake = user_bin / "helm-docs"
    fake.write_text("#!/bin/sh\necho 'helm-docs version 0.0.1'\n")
    fake.chmod(0o755)
    # an unreachable module proxy makes the would-be build fail fast instead of compiling
    env_path = f"{user_bin}:{os.environ['PATH']}"
    result = subprocess.run(["bash", str(BUILD_TOOLS), "helm-docs"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "ACME_TOOLS_CACHE": str(tool_cache), "ACME_TOOLS_BIN": str(tool_cache / "bin"),
                                 "PATH": env_path, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOMODCACHE": str(tmp_path / "empty-modcache")})
    assert f"using {fake}" not in result.stdout
    assert result.returncode != 0
    assert "building helm-docs" in result.stdout
    assert "retry with: make tools" in result.stderr
