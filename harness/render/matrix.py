"""Values matrices: one reviewable YAML file per chart, expanded into render cases.

A matrix file (matrices/<chart>.yaml) holds:
  chart:         the chart directory name under charts/
  ciScenarios:   true to include every charts/<chart>/ci/*.yaml scenario
  environments:  helmfile environments whose layer values/<release>/<env>.yaml is a case
  production:    substrings of ci scenario names that count as production (>= 3 replicas)
  axes:          {axis: {value: values-overlay}}; the cartesian product becomes cases
  cases:         [{name, values, environment?}] explicit extra cases
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import HarnessError
from ..core.project import Project
from ..core.yamlio import dump_yaml, load_yaml_file

APP_NAMESPACE = "acme"
_MATRIX_KEYS = {"chart", "release", "namespace", "ciScenarios", "environments", "production", "axes", "cases"}
_CASE_KEYS = {"name", "values", "environment"}


@dataclass(frozen=True)
class Case:
    """One render of one chart: value layers in order, plus the environment it stands for."""

    chart: str
    name: str
    release: str
    namespace: str
    values_files: tuple[Path, ...] = ()
    inline_values: str = ""  # YAML text of the axis/case overlay, applied last
    environment: str | None = None

    @property
    def label(self) -> str:
        return f"{self.chart}/{self.name}"


@dataclass
class Matrix:
    chart: str
    path: Path
    cases: list[Case] = field(default_factory=list)


def load_matrix(project: Project, path: Path) -> Matrix:
    raw = load_yaml_file(path)
    if not isinstance(raw, dict):
        raise HarnessError(f"{path}: a matrix file must be a mapping with at least `chart:`")
    unknown = sorted(set(raw) - _MATRIX_KEYS)
    if unknown:
        raise HarnessError(f"{path}: unknown key `{unknown[0]}` (allowed: {', '.join(sorted(_MATRIX_KEYS))})")
    chart = _require(raw, "chart", str, path)
    chart_dir = project.charts_dir / chart
    if not (chart_dir / "Chart.yaml").exists():
        raise HarnessError(f"{path}: chart `{chart}` not found at {chart_dir}")
    release = _optional(raw, "release", str, path) or chart
    namespace = _optional(raw, "namespace", str, path) or APP_NAMESPACE
    production = _optional(raw, "production", list, path) or ["production"]

    def make(name: str, files: tuple[Path, ...] = (), overlay: Any = None, env: str | None = None) -> Case:
        inline = dump_yaml(overlay) if overlay else ""
        return Case(chart, name, release, namespace, files, inline, env)

    cases = [make("defaults")]
    if _optional(raw, "ciScenarios", bool, path):
        for scenario in sorted((chart_dir / "ci").glob("*.yaml")):
            name = f"ci/{scenario.stem}"
            env = "production" if any(p in scenario.stem for p in production) else None
            cases.append(make(name, (scenario,), env=env))
    for env in _optional(raw, "environments", list, path) or []:
        layer = project.values_dir / release / f"{env}.yaml"
        if not layer.exists():
            raise HarnessError(f"{path}: environments: no values layer {layer.relative_to(project.root)}")
        cases.append(make(f"env/{env}", (layer,), env=env))
    cases += _axis_cases(raw.get("axes"), path, make)
    for index, entry in enumerate(_optional(raw, "cases", list, path) or []):
        if not isinstance(entry, dict) or "name" not in entry:
            raise HarnessError(f"{path}: cases[{index}] must be a mapping with `name`")
        bad = sorted(set(entry) - _CASE_KEYS)
        if bad:
            raise HarnessError(f"{path}: cases[{index}]: unknown key `{bad[0]}`")
        values = entry.get("values") or {}
        if not isinstance(values, dict):
            raise HarnessError(f"{path}: cases[{index}].values must be a mapping")
        cases.append(make(f"case/{entry['name']}", overlay=values, env=entry.get("environment")))
    names = [c.name for c in cases]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise HarnessError(f"{path}: duplicate case name `{duplicate}`")
    return Matrix(chart, path, cases)


def _axis_cases(axes: Any, path: Path, make) -> list[Case]:
    if not axes:
        return []
    if not isinstance(axes, dict) or not all(isinstance(v, dict) and v for v in axes.values()):
        raise HarnessError(f"{path}: axes must map each axis name to a non-empty mapping of value -> overlay")
    names = list(axes)
    cases = []
    for combo in itertools.product(*(axes[n].items() for n in names)):
        overlay: dict = {}
        for _, layer in combo:
            if not isinstance(layer, dict):
                raise HarnessError(f"{path}: axes: every overlay must be a mapping")
            overlay = deep_merge(overlay, layer)
        label = ",".join(f"{axis}={value}" for axis, (value, _) in zip(names, combo))
        cases.append(make(f"axes/{label}", overlay=overlay))
    return cases


def deep_merge(base: dict, overlay: dict) -> dict:
    """Helm's values merge: maps merge key by key, everything else is replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_matrices(project: Project) -> dict[str, Matrix]:
    """Every matrix file, keyed by chart; a chart without a matrix gets its defaults and ci scenarios."""
    matrices: dict[str, Matrix] = {}
    for path in sorted(project.matrices_dir.glob("*.yaml")):
        matrix = load_matrix(project, path)
        matrices[matrix.chart] = matrix
    for chart in project.chart_names():
        if chart not in matrices:
            matrices[chart] = _implicit_matrix(project, chart)
    return matrices


def _implicit_matrix(project: Project, chart: str) -> Matrix:
    chart_dir = project.charts_dir / chart
    cases = [Case(chart, "defaults", chart, APP_NAMESPACE)]
    for scenario in sorted((chart_dir / "ci").glob("*.yaml")):
        env = "production" if "production" in scenario.stem else None
        cases.append(Case(chart, f"ci/{scenario.stem}", chart, APP_NAMESPACE, (scenario,), "", env))
    return Matrix(chart, chart_dir, cases)


def _require(raw: dict, key: str, kind: type, path: Path) -> Any:
    if key not in raw:
        raise HarnessError(f"{path}: missing required key `{key}`")
    return _optional(raw, key, kind, path)


def _optional(raw: dict, key: str, kind: type, path: Path) -> Any:
    value = raw.get(key)
    if value is not None and not isinstance(value, kind):
        raise HarnessError(f"{path}: `{key}` must be a {kind.__name__}, got {type(value).__name__}")
    return value
