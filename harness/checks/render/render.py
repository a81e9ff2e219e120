"""A render that fails is itself a finding: nothing else about the scenario can be trusted."""

from __future__ import annotations

from ...core.manifests import ObjectRef
from ..registry import check


def template(scenario, check):
    for error in scenario.render_errors:
        release = error.split(":", 1)[0]
        yield check.finding(ObjectRef("HelmRelease", "", release), "values", error)


check("render.template", "helm template succeeds for every case (values accepted by the chart schema)", template)
