"""Checks that cannot run say so (SKIP with the reason), never pass silently.

Every check's broken and sound cases live in tests/checks: the registry-driven test there fails
for a check without them.
"""

from __future__ import annotations

import pytest

import factories as f
from checking import run_check
from harness.checks.registry import CheckSkipped


@pytest.mark.parametrize("check_id", ["upgrade.immutable-fields", "upgrade.removed-resources"])
def test_upgrade_without_baseline_is_skipped_not_passed(check_id):
    with pytest.raises(CheckSkipped, match="no baseline"):
        run_check(check_id, f.scenario(f.deployment()))


def test_schema_without_api_server_is_skipped_not_passed():
    with pytest.raises(CheckSkipped, match="not configured"):
        run_check("schema.kubernetes", f.scenario(f.deployment()))


def test_contracts_needs_without_helmfile_is_skipped_not_passed():
    with pytest.raises(CheckSkipped, match="no helmfile.yaml"):
        run_check("contracts.needs", f.scenario(f.deployment(), is_environment=True))


def test_issuer_without_platform_is_skipped_not_passed():
    with pytest.raises(CheckSkipped, match="no Issuer or ClusterIssuer rendered"):
        run_check("tls.issuer", f.scenario(f.ingress()))
