"""A Scenario is what every check sees: one rendered set of objects plus its context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .helmfile import HelmfileState
from ..core.manifests import Manifests
from ..policy.intended import IntendedFlows
from .schemas import OpenAPISchemas
from .settings import Settings


@dataclass
class Scenario:
    name: str  # "acme-api/ci/01-defaults" or "env/local"
    manifests: Manifests  # the objects under test: findings are reported on these
    environment: str | None = None  # local/staging/production, None for a chart's own scenarios
    is_environment: bool = False  # True when manifests hold every release of the environment
    reference: Manifests | None = None  # manifests plus the platform's objects, for lookups
    values: list[Any] = field(default_factory=list)  # the values layers of the case
    baseline: Manifests | None = None  # the same case rendered at the git base ref
    baseline_note: str = ""  # why there is no baseline
    helmfile: HelmfileState | None = None
    intended: IntendedFlows | None = None
    settings: Settings = field(default_factory=Settings)
    schemas: OpenAPISchemas | None = None  # None: schema validation not configured
    render_errors: list[str] = field(default_factory=list)  # helm failures, reported by render.template
    memo: dict[str, Any] = field(default_factory=dict)  # results shared between checks (the flow matrix)

    @property
    def lookup(self) -> Manifests:
        return self.reference if self.reference is not None else self.manifests

    @property
    def is_production(self) -> bool:
        return self.environment == "production"
