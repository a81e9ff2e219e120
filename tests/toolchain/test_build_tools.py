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
TOOL_ENV_KEYS = ("VERSION", "VERSION_CHECK", "LINK_DIR", "BINARIES")


def read_tool_env(family: Path) -> dict[str, str]:
    """Evaluates tool.env the way build-tools.sh does and returns its variables."""
    printed = " ".join(f'"${key}"' for key in TOOL_ENV_KEYS)
    script = f"LINK_DIR=; . {shlex.quote(str(family / 'tool.env'))}; printf '%s\\0' {printed}"
    values = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split("\0")
    return dict(zip(TOOL_ENV_KEYS, values))


def linked(env: dict[str, str], name: str) -> Path:
    """Where build-tools.sh links a family's binary: .tools/bin, or .tools/<LINK_DIR>."""
    return ROOT / ".tools" / (env["LINK_DIR"] or "bin") / name


FAMILIES = sorted(p.parent for p in (ROOT / "tools").glob("*/tool.env"))
REAL_NODE_FAMILIES = {line for line in (ROOT / "tools" / "real-node.families").read_text().splitlines()
                      if line and not line.startswith("#")}
real_node_tools = pytest.mark.skipif(os.environ.get("ACME_REAL_NODE") == "0",
                                     reason="ACME_REAL_NODE=0: the real node's tools were left out")


@pytest.mark.parametrize("family", [pytest.param(f, marks=[real_node_tools] if f.name in REAL_NODE_FAMILIES else [])
                                    for f in FAMILIES], ids=[f.name for f in FAMILIES])
def test_linked_tool_reports_pinned_version(family: Path) -> None:
    env = read_tool_env(family)
    command = shlex.split(env["VERSION_CHECK"])
    result = subprocess.run([str(linked(env, command[0])), *command[1:]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert env["VERSION"].lstrip("v") in output, f"{family.name}: {env['VERSION']} not in {output!r}"
    assert "v0.0.0-master" not in output


def test_kube_apiserver_is_a_real_release() -> None:
    out = subprocess.run([str(TOOLS_BIN / "kube-apiserver"), "--version"], capture_output=True, text=True, check=True).stdout
    assert re.fullmatch(r"Kubernetes v1\.3\d\.\d+\n", out), out


def test_real_node_families_exist() -> None:
    assert REAL_NODE_FAMILIES and REAL_NODE_FAMILIES <= {f.name for f in FAMILIES}


@real_node_tools
def test_node_agents_match_the_control_plane() -> None:
    """kubelet and kube-proxy are a family of their own, built from the same Kubernetes release."""
    control_plane, node = (ROOT / "tools" / name for name in ("kubernetes", "kubernetes-node"))
    assert read_tool_env(node)["VERSION"] == read_tool_env(control_plane)["VERSION"]
    replaces = [(family / "go.mod").read_text().partition("\nreplace (")[2] for family in (control_plane, node)]
    assert replaces[0] and replaces[0] == replaces[1]
    out = subprocess.run([str(TOOLS_BIN / "kubelet"), "--version"], capture_output=True, text=True, check=True).stdout
    assert out == f"Kubernetes {read_tool_env(node)['VERSION']}\n", out


@real_node_tools
def test_runc_filters_syscalls_with_libseccomp() -> None:
    """Pod Security "restricted" asks for the RuntimeDefault seccomp profile: runc needs the cgo build."""
    out = subprocess.run([str(TOOLS_BIN / "runc"), "--version"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^libseccomp: 2\.\d+\.\d+$", out, re.MULTILINE), out


@real_node_tools
def test_cni_plugins_sit_in_their_own_directory() -> None:
    env = read_tool_env(ROOT / "tools" / "cni-plugins")
    for name in env["BINARIES"].split():
        assert linked(env, name).is_file(), f"{name} missing from .tools/{env['LINK_DIR']}"
        assert not (TOOLS_BIN / name).exists(), f"{name} shadows a command in .tools/bin"


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


def scratch_family(tmp_path: Path, tool_env: str, name: str = "scratch") -> Path:
    """A copy of build-tools.sh beside a family that builds nothing, so options run in seconds."""
    (tmp_path / "tools" / name / "bin").mkdir(parents=True)
    script = tmp_path / "tools" / "build-tools.sh"
    script.write_text(BUILD_TOOLS.read_text())
    (tmp_path / "tools" / name / "tool.env").write_text(tool_env)
    (tmp_path / "tools" / name / "bin" / "probe").write_text("")
    return script


@pytest.mark.parametrize("opt_out, linked_families", [("", ["node-only", "plain"]), ("0", ["plain"])],
                         ids=["default", "ACME_REAL_NODE=0"])
def test_real_node_families_are_left_out_only_when_asked(tool_cache: Path, tmp_path: Path, opt_out: str,
                                                         linked_families: list[str]) -> None:
    for name in ("plain", "node-only"):
        script = scratch_family(tmp_path, f'VERSION=v1.0.0\nBINARIES="probe"\nPACKAGES=""\nLINK_DIR={name}\n', name)
    (tmp_path / "tools" / "real-node.families").write_text("# the node's\nnode-only\n")
    env = {**os.environ, "ACME_TOOLS_CACHE": str(tool_cache), "ACME_TOOLS_BIN": str(tool_cache / "bin"),
           "ACME_REAL_NODE": opt_out}
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tool_cache.iterdir() if (p / "probe").exists()) == linked_families


def test_link_dir_links_beside_bin(tool_cache: Path, tmp_path: Path) -> None:
    script = scratch_family(tmp_path, 'VERSION=v1.0.0\nBINARIES="probe"\nPACKAGES=""\nLINK_DIR=plugins\n')
    env = {**os.environ, "ACME_TOOLS_CACHE": str(tool_cache), "ACME_TOOLS_BIN": str(tool_cache / "bin")}
    result = subprocess.run(["bash", str(script), "scratch"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tool_cache / "plugins" / "probe").resolve() == tmp_path / "tools" / "scratch" / "bin" / "probe"
    assert not (tool_cache / "bin" / "probe").exists()


def test_missing_debian_package_without_apt_names_it(tool_cache: Path, tmp_path: Path) -> None:
    script = scratch_family(tmp_path, 'VERSION=v1.0.0\nBINARIES="probe"\nPACKAGES=""\nAPT_PACKAGES="acme-no-such-package"\n')
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    for tool in ("bash", "cat", "mkdir", "dirname", "grep", "go", "id"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        (bare / tool).symlink_to(found)
    env = {**os.environ, "ACME_TOOLS_CACHE": str(tool_cache), "ACME_TOOLS_BIN": str(tool_cache / "bin"), "PATH": str(bare)}
    result = subprocess.run(["bash", str(script), "scratch"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip() == ("tools: scratch needs the Debian packages acme-no-such-package and there is no "
                                     "apt-get: install them, then run: make tools")


def run_concurrently(script: Path, cache: Path, family: str, runs: int) -> list[subprocess.CompletedProcess[str]]:
    """Starts `runs` build-tools.sh processes on one cache and bin dir at once, as parallel make targets do."""
    env = {**os.environ, "ACME_TOOLS_CACHE": str(cache), "ACME_TOOLS_BIN": str(cache / "bin")}
    started = [subprocess.Popen(["bash", str(script), family], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for _ in range(runs)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in started]


def test_concurrent_runs_never_write_the_wrapper_into_the_cached_binary(tool_cache: Path, tmp_path: Path) -> None:
    script = scratch_family(tmp_path, 'VERSION=v1.0.0\nBINARIES="probe"\nPACKAGES=""\nHELM_WRAPPER=1\n')
    binary = tmp_path / "tools" / "scratch" / "bin" / "probe"
    binary.write_text("#!/bin/sh\necho the real binary\n")
    for _ in range(5):
        results = run_concurrently(script, tool_cache, "scratch", runs=8)
        assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert binary.read_text() == "#!/bin/sh\necho the real binary\n"
    wrapper = tool_cache / "bin" / "probe"
    assert not wrapper.is_symlink() and f'exec "{binary}"' in wrapper.read_text()
    assert sorted(p.name for p in (tool_cache / "bin").iterdir()) == ["probe"]  # no temp file left


def test_concurrent_clones_build_a_family_once(tool_cache: Path, tmp_path: Path) -> None:
    script = scratch_family(tmp_path, 'VERSION=v1.0.0\nBINARIES="probe"\nPACKAGES="./cmd/probe"\nLDFLAGS=""\nVERSION_CHECK="probe"\n')
    family = tmp_path / "tools" / "scratch"
    (family / "go.mod").write_text("module example.com/probe\n\ngo 1.26\n")
    (family / "go.sum").write_text("")
    (family / "cmd" / "probe").mkdir(parents=True)
    (family / "cmd" / "probe" / "main.go").write_text('package main\n\nfunc main() { println("probe") }\n')
    results = run_concurrently(script, tool_cache, "scratch", runs=3)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert sum(r.stdout.count("tools: building scratch") for r in results) == 1
    built = [p for p in tool_cache.iterdir() if p.name.startswith("scratch-v1.0.0-") and p.is_dir()]
    assert len(built) == 1 and sorted(q.name for q in (built[0] / "bin").iterdir()) == ["probe"]
