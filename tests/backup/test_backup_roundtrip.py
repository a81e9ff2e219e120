"""dump.sh -> upload.sh -> restore.sh against a real PostgreSQL and a real S3 endpoint on loopback.

The scripts are the chart's own files (charts/acme-platform/charts/backup/scripts), run under
/bin/sh as the CronJob runs them. A restore into a fresh database must reproduce every row.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services import S3, Postgres, run_script

pytestmark = pytest.mark.slow

SEED = Path(__file__).parent / "seed.sql"
TABLES = ("customers", "orders")
SEQUENCES = ("customers_id_seq", "orders_id_seq")


def fingerprint(postgres: Postgres, database: str) -> dict[str, str]:
    """Row count and an md5 over every row in a stable order, per table; sequence positions."""
    prints = {}
    for table in TABLES:
        prints[table] = postgres.psql(database, f"SELECT count(*) || ' ' || md5(string_agg(t::text, E'\\n' "
                                                f"ORDER BY t::text)) FROM {table} t")
    for sequence in SEQUENCES:
        prints[sequence] = postgres.psql(database, f"SELECT last_value || ' ' || is_called FROM {sequence}")
    prints["customer_totals"] = postgres.psql(database, "SELECT md5(string_agg(v::text, ',' ORDER BY v.id)) "
                                                        "FROM customer_totals v")
    return prints


@pytest.fixture(scope="module")
def source(postgres) -> str:
    """Database `acme`, filled with the seed data."""
    postgres.psql("acme", SEED.read_text())
    return "acme"


@pytest.fixture
def fresh_database(postgres, request) -> str:
    """An empty database owned by `acme`, dropped afterwards."""
    name = f"restore_{request.node.name.split('[')[0][-40:]}".lower()
    postgres.psql("postgres", f"CREATE DATABASE {name} OWNER acme")
    yield name
    postgres.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def backup(postgres: Postgres, s3: S3, tools_path: str, workdir: Path, database: str, prefix: str) -> None:
    """What one CronJob run does: the dump init container, then the upload container, sharing /backup."""
    workdir.mkdir()
    dumped = run_script("dump.sh", {**postgres.env(database), "BACKUP_DIR": str(workdir)}, tools_path)
    assert dumped.returncode == 0, dumped.stderr
    uploaded = run_script("upload.sh", {**s3.env(prefix), "BACKUP_DIR": str(workdir)}, tools_path)
    assert uploaded.returncode == 0, uploaded.stderr


def test_round_trip_restores_every_row(postgres, s3, tools_path, source, fresh_database, tmp_path, record_property):
    start = time.monotonic()
    backup(postgres, s3, tools_path, tmp_path / "backup", source, "round-trip")
    keys = s3.keys("round-trip")
    assert [k.rsplit("/", 1)[-1] for k in keys] == ["acme.dump", "acme.dump.manifest", "acme.dump.manifest.sha256",
                                                    "acme.dump.sha256"]

    restored = run_script("restore.sh", {**postgres.env(fresh_database), **s3.env("round-trip"),
                                         "SOURCE_DATABASE": source}, tools_path)
    assert restored.returncode == 0, restored.stderr
    elapsed = time.monotonic() - start

    expected, actual = fingerprint(postgres, source), fingerprint(postgres, fresh_database)
    assert actual == expected
    rows = sum(int(expected[t].split()[0]) for t in TABLES)
    assert rows == 5000 + 19990
    record_property("round_trip_seconds", round(elapsed, 2))
    record_property("rows_compared", rows)
    print(f"\nbackup round trip: {rows} rows in {len(TABLES)} tables identical after restore, {elapsed:.2f}s")


def test_restore_by_name_picks_that_backup(postgres, s3, tools_path, source, fresh_database, tmp_path):
    backup(postgres, s3, tools_path, tmp_path / "first", source, "by-name")
    first = s3.keys("by-name")[0].split("/")[1]
    restored = run_script("restore.sh", {**postgres.env(fresh_database), **s3.env("by-name"),
                                         "SOURCE_DATABASE": source}, tools_path, first)
    assert restored.returncode == 0, restored.stderr
    assert f"restore: {first}/acme.dump -> {fresh_database}" in restored.stdout
    assert fingerprint(postgres, fresh_database) == fingerprint(postgres, source)


def test_upload_refuses_a_damaged_dump(postgres, s3, tools_path, source, tmp_path):
    workdir = tmp_path / "backup"
    workdir.mkdir()
    assert run_script("dump.sh", {**postgres.env(source), "BACKUP_DIR": str(workdir)}, tools_path).returncode == 0
    with (workdir / "acme.dump").open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\0" * 16)
    uploaded = run_script("upload.sh", {**s3.env("damaged"), "BACKUP_DIR": str(workdir)}, tools_path)
    assert uploaded.returncode != 0
    assert "does not match acme.dump.sha256" in uploaded.stderr
    assert s3.keys("damaged") == []


def test_dump_fails_without_leaving_an_archive(postgres, tools_path, source, tmp_path):
    env = {**postgres.env(source), "PGPASSWORD": "wrong", "BACKUP_DIR": str(tmp_path)}
    dumped = run_script("dump.sh", env, tools_path)
    assert dumped.returncode != 0
    assert "password authentication failed" in dumped.stderr
    assert not (tmp_path / "acme.dump").exists()


def test_restore_into_a_used_database_fails_and_changes_nothing(postgres, s3, tools_path, source, tmp_path):
    backup(postgres, s3, tools_path, tmp_path / "backup", source, "into-used")
    before = fingerprint(postgres, source)
    restored = run_script("restore.sh", {**postgres.env(source), **s3.env("into-used")}, tools_path)
    assert restored.returncode != 0
    assert "already exists" in restored.stderr
    assert fingerprint(postgres, source) == before


def test_restore_without_any_backup_says_so(postgres, s3, tools_path, fresh_database):
    restored = run_script("restore.sh", {**postgres.env(fresh_database), **s3.env("nothing-here")}, tools_path)
    assert restored.returncode != 0
    assert "no complete backup under" in restored.stderr
