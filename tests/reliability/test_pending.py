"""Releases an interrupted deploy left pending: recovered on the local cluster (proven in
tests/faults/test_deploy_faults.py), refused with the fix named anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.errors import HarnessError
from harness.deploy.pending import Stuck, recover


def test_a_pending_release_on_a_shared_cluster_is_refused_with_the_fix():
    stuck = [Stuck("acme-api", "acme", "pending-upgrade", 7)]
    with pytest.raises(HarnessError, match=r"acme-api is pending-upgrade.*`helm rollback acme-api 7 --namespace acme`"):
        recover(Path("/nonexistent/helm"), stuck, "prod", {}, local=False)


def test_a_first_install_that_never_completed_is_named_for_uninstall():
    with pytest.raises(HarnessError, match=r"`helm uninstall acme-ui --namespace acme`"):
        recover(Path("/nonexistent/helm"), [Stuck("acme-ui", "acme", "pending-install", None)], "prod", {}, local=False)


def test_nothing_pending_means_nothing_to_do():
    assert recover(Path("/nonexistent/helm"), [], "prod", {}, local=False) == []
