"""A progressive release's step that changes the release: the step's values written beside the
run's earlier ones (the report names each file), applied to that one release, then optionally its
workload waited for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core import yamlio
from ..drills import wait_settled
from .deploy import helmfile_apply

if TYPE_CHECKING:
    from .flow import _Run


def apply_values(run: "_Run", workdir: Path, release: str, step_values: dict[str, Any], settle: str | None) -> str:
    """The step's detail: 'applied', and how long `settle` took to settle when given."""
    path = workdir / f"{len(run.record.steps):02d}.yaml"
    path.write_text(yamlio.dump_yaml(step_values))
    detail = helmfile_apply(run.project, run.target, run.record.context, f"name={release}", [path])
    if settle:
        detail += f", {settle} settled in {wait_settled(run.api, run.options.namespace, settle):.1f} s"
    return detail
