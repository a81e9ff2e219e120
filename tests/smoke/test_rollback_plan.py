"""Which releases an automatic rollback touches: exactly those the failed deploy moved."""

from __future__ import annotations

from harness.deploy.rollback import deployed_revisions, plan
from smoke_objects import release_secret


def test_only_moved_releases_go_back_to_their_previous_revision():
    before = deployed_revisions([release_secret("acme-api", 4, "deployed", []),
                                 release_secret("acme-api", 3, "superseded", []),
                                 release_secret("acme-ui", 7, "deployed", [])])
    assert before == {"acme-api": 4, "acme-ui": 7}
    after = [release_secret("acme-api", 5, "deployed", []), release_secret("acme-api", 4, "superseded", []),
             release_secret("acme-ui", 7, "deployed", []), release_secret("acme-platform", 1, "deployed", [])]
    assert plan(before, after) == {"acme-api": 4}


def test_a_failed_upgrade_revision_counts_as_moved():
    before = {"acme-api": 4}
    after = [release_secret("acme-api", 5, "failed", []), release_secret("acme-api", 4, "deployed", [])]
    assert plan(before, after) == {"acme-api": 4}


def test_nothing_to_roll_back_when_nothing_moved():
    assert plan({"acme-ui": 2}, [release_secret("acme-ui", 2, "deployed", [])]) == {}
