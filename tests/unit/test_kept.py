"""What an upgrade must keep: each loss between two looks at the environment is one sentence."""

from __future__ import annotations

import dataclasses

from harness.deploy.kept import Rows, State, lost

ITEMS = [{"id": i, "name": f"n{i}", "created": "2026-12-03T17:00:00Z"} for i in range(1, 13)]
BEFORE = State(Rows.of(ITEMS), "uid-1", "kwok-static-8", "secret-digest", {"acme-api": "s1", "acme-db": "s2"})


def test_nothing_lost_when_everything_survived_and_rows_were_added() -> None:
    more = ITEMS + [{"id": 13, "name": "new", "created": "2026-12-03T17:01:00Z"}]
    assert lost(BEFORE, dataclasses.replace(BEFORE, rows=Rows.of(more))) == []
    assert Rows.of(list(reversed(ITEMS))).digest() == BEFORE.rows.digest()


def test_gone_rows_are_counted_and_named_by_id() -> None:
    after = dataclasses.replace(BEFORE, rows=Rows.of(ITEMS[:1]))
    assert lost(BEFORE, after) == [
        "11 of 12 rows written before the upgrade are gone (ids 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (11 in all))"]


def test_a_changed_row_is_named_and_changes_the_digest() -> None:
    changed = [dict(item, name="other") if item["id"] == 3 else item for item in ITEMS]
    after = dataclasses.replace(BEFORE, rows=Rows.of(changed))
    assert lost(BEFORE, after) == ["1 rows written before the upgrade changed (ids 3)"]
    assert after.rows.digest() != BEFORE.rows.digest()


def test_a_new_claim_or_volume_is_named() -> None:
    assert lost(BEFORE, dataclasses.replace(BEFORE, claim_uid="uid-2", volume="kwok-static-1")) == [
        "PersistentVolumeClaim data-acme-db-0 is not the one before the upgrade: uid uid-1 -> uid-2, "
        "volume kwok-static-8 -> kwok-static-1"]
    assert lost(BEFORE, dataclasses.replace(BEFORE, volume="")) == [
        "PersistentVolumeClaim data-acme-db-0 is not the one before the upgrade: uid uid-1 -> uid-1, "
        "volume kwok-static-8 -> none"]


def test_a_regenerated_password_is_named() -> None:
    assert lost(BEFORE, dataclasses.replace(BEFORE, credentials="other")) == [
        "Secret acme-db-credentials changed: the generated password did not survive the upgrade"]


def test_re_created_and_removed_services_are_named() -> None:
    after = dataclasses.replace(BEFORE, services={"acme-api": "s9", "acme-ui": "s3"})
    assert lost(BEFORE, after) == ["Service acme-api was re-created (uid s1 -> s9)", "Service acme-db was removed"]
