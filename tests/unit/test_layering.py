"""The harness is layered: every module imports, and imports only point down the layers.

core <- tools <- policy <- render | live <- checks <- publish <- deploy <- cli
(render and live are the two subjects checks run on: rendered scenarios, live snapshots;
neither imports the other). Only tools/ starts other programs: no other module imports subprocess.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "harness"

LAYERS = {
    "core": 0, "tools": 1, "policy": 2, "render": 3, "live": 3, "checks": 4, "publish": 5, "deploy": 6,
    "cli": 7,  # harness/cli.py, harness/__main__.py, harness/__init__.py: the command line on top
}


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def source_of(module: str) -> Path:
    path = PACKAGE.parent / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "cli"


def harness_imports(module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import of a harness module, relative ones resolved."""
    path = source_of(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "harness"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "harness":
                continue
            for alias in node.names:  # `from . import x` may name a module
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if source_of(sub).exists() else target))
    return found


MODULES = module_names()


def test_every_layer_is_known() -> None:
    unknown = sorted({layer_of(m) for m in MODULES} - set(LAYERS))
    assert not unknown, f"harness packages without a layer: {unknown}; add them to LAYERS and the README map"


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith("__main__")],
                         ids=[m for m in MODULES if not m.endswith("__main__")])
def test_module_imports(module: str) -> None:  # a __main__ module runs its command when imported
    importlib.import_module(module)


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_imports_point_down(module: str) -> None:
    own = layer_of(module)
    upward = [f"line {line}: {target} ({layer_of(target)})" for line, target in harness_imports(module)
              if layer_of(target) != own and LAYERS[layer_of(target)] >= LAYERS[own]]
    assert not upward, f"{module} ({own}) imports a module of its own or a higher layer: {upward}"


def test_layer_check_sees_an_upward_import() -> None:
    """The rule above can fail: checks.run imports render.scenario (down), never the reverse."""
    assert (LAYERS[layer_of("harness.render.scenario")] < LAYERS[layer_of("harness.checks.run")])
    assert any(target.startswith("harness.render") for _, target in harness_imports("harness.checks.run"))


# Each check family reads one subject: render families never import the live path, smoke
# families never import the render path (the framework modules above them may import both).
SUBJECT_PATHS = {"harness.checks.render": "harness.live", "harness.checks.smoke": "harness.render"}


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith(tuple(SUBJECT_PATHS))],
                         ids=[m for m in MODULES if m.startswith(tuple(SUBJECT_PATHS))])
def test_check_families_read_only_their_subject(module: str) -> None:
    forbidden = next(v for k, v in SUBJECT_PATHS.items() if module.startswith(k))
    crossing = [f"line {line}: {target}" for line, target in harness_imports(module)
                if target == forbidden or target.startswith(forbidden + ".")]
    assert not crossing, f"{module} imports the other subject's path: {crossing}"


def test_subject_rule_sees_a_crossing() -> None:
    """The rule above can fail: the framework's runner imports both paths, which a family may not."""
    targets = {target for _, target in harness_imports("harness.checks.run")}
    assert any(t.startswith("harness.live") for t in targets) and any(t.startswith("harness.render") for t in targets)


def _imports_subprocess(module: str) -> list[int]:
    tree = ast.parse(source_of(module).read_text())
    return [node.lineno for node in ast.walk(tree)
            if (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "subprocess" for a in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "subprocess")]


# The os functions that start a program or a process besides subprocess.
SPAWNS = {"posix_spawn", "posix_spawnp", "fork", "forkpty", "system", "popen", "spawnv", "spawnve", "spawnvp",
          "spawnvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "execv", "execve", "execvp", "execvpe", "execl",
          "execle", "execlp", "execlpe"}


def _spawns(source: str) -> list[int]:
    """Lines that call or import one of os's process starters."""
    tree = ast.parse(source)
    return sorted({node.lineno for node in ast.walk(tree)
                   if (isinstance(node, ast.Attribute) and node.attr in SPAWNS
                       and isinstance(node.value, ast.Name) and node.value.id == "os")
                   or (isinstance(node, ast.ImportFrom) and node.module == "os"
                       and any(a.name in SPAWNS for a in node.names))})


@pytest.mark.parametrize("module", MODULES, ids=MODULES)
def test_only_tools_run_programs(module: str) -> None:
    if layer_of(module) == "tools":
        return
    lines = _imports_subprocess(module)
    assert not lines, f"{module} imports subprocess (line {lines[0]}): run programs through harness.tools"
    spawned = _spawns(source_of(module).read_text())
    assert not spawned, f"{module} starts a process with os (line {spawned[0]}): use harness.tools.process.spawn"


def test_spawn_rule_sees_os_starters() -> None:
    assert _spawns("import os\nos.posix_spawnp('x', ['x'], {})\n") == [2]
    assert _spawns("from os import fork, getpid\n") == [1]
    assert _spawns("import os\nos.getpid()\nos.kill(1, 0)\n") == []
    assert _spawns(source_of("harness.tools.process").read_text()), "tools.process.spawn is the one starter"


def test_tools_import_core_only() -> None:
    """tools/ is the layer right above core: a helm or git call never needs a render or a check."""
    tools = [m for m in MODULES if layer_of(m) == "tools"]
    assert "harness.tools.process" in tools
    above = [(m, t) for m in tools for _, t in harness_imports(m) if layer_of(t) not in ("core", "tools")]
    assert not above, above


def test_subprocess_check_sees_an_import() -> None:
    """The rule above can fail: tools.process does import subprocess."""
    assert _imports_subprocess("harness.tools.process")
