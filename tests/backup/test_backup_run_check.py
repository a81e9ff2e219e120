"""What `harness backup run` does after its Job: the backup folder the chart's scripts wrote is found in
the object store, downloaded and checked (checksums, pg_restore's table of contents, every manifest
table's data in the archive), here against a real PostgreSQL and moto's S3 server on loopback. Each
kind of damage is found and named. Also: dump.sh waits for a database that does not answer yet."""

from __future__ import annotations

import hashlib
import time

import pytest

from harness.deploy.backup.run import check, newest_folder
from harness.deploy.backup.store import Credentials, ObjectStore
from services import run_script

@pytest.fixture(scope="module")
def source(postgres) -> str:
    return postgres.seeded("run_source")


@pytest.fixture(scope="module")
def uploaded(postgres, s3, tools_path, source, tmp_path_factory) -> tuple[ObjectStore, str, str]:
    """One CronJob run's dump and upload; (store, prefix, folder)."""
    workdir = tmp_path_factory.mktemp("run-backup")
    assert run_script("dump.sh", {**postgres.env(source), "BACKUP_DIR": str(workdir)}, tools_path).returncode == 0
    done = run_script("upload.sh", {**s3.env("run-check"), "BACKUP_DIR": str(workdir)}, tools_path)
    assert done.returncode == 0, done.stderr
    return client_for(s3), "run-check", done.stdout.strip().rsplit("/", 1)[-1]


def client_for(s3) -> ObjectStore:
    env = s3.env("")
    return ObjectStore(s3.endpoint, Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
                                                env["AWS_DEFAULT_REGION"]))


def download(store: ObjectStore, bucket: str, prefix: str, folder: str) -> dict[str, bytes]:
    keys = store.keys(bucket, f"{prefix}/{folder}/")
    return {key.rsplit("/", 1)[-1]: store.get(bucket, key) for key in keys}


def seal(data: bytes, name: str) -> bytes:
    return f"{hashlib.sha256(data).hexdigest()}  {name}\n".encode()


def test_the_store_lists_the_folder_the_upload_wrote(uploaded, s3):
    objects, prefix, folder = uploaded
    keys = objects.keys(s3.bucket, f"{prefix}/")
    assert newest_folder(keys, prefix) == folder
    assert sorted(key.rsplit("/", 1)[-1] for key in keys) == sorted(
        ["run_source.dump", "run_source.dump.sha256", "run_source.dump.manifest", "run_source.dump.manifest.sha256"])
    assert all(size > 0 for size in keys.values())
    # page by page: two keys a page still gives all four
    assert client_for(s3).keys(s3.bucket, f"{prefix}/", page=2) == keys


def test_what_is_put_is_what_is_got(s3):
    data = bytes(range(256)) * 40 + b"a=1&b=2"  # binary, and a body that reads like form data
    client_for(s3).put(s3.bucket, "run-check-put/blob", data)
    assert client_for(s3).get(s3.bucket, "run-check-put/blob") == data


def test_a_good_backup_passes_with_every_table_named(uploaded, s3, postgres):
    store, prefix, folder = uploaded
    found, problems = check(download(store, s3.bucket, prefix, folder), str(postgres.bindir / "pg_restore"))
    assert problems == []
    assert found[0].startswith("run_source.dump: ") and "2 tables in the manifest, 2 with data in the archive" in found[0]
    assert found[1:] == ["table public.customers: 5000 rows at backup, its data in the archive",
                         "table public.orders: 19990 rows at backup, its data in the archive"]


def test_a_changed_file_fails_its_checksum(uploaded, s3, postgres):
    store, prefix, folder = uploaded
    files = download(store, s3.bucket, prefix, folder)
    files["run_source.dump.manifest"] = files["run_source.dump.manifest"].replace(b"\t5000\t", b"\t5001\t")
    _, problems = check(files, str(postgres.bindir / "pg_restore"))
    assert problems == ["run_source.dump.manifest does not match run_source.dump.manifest.sha256"]


def test_a_manifest_table_without_data_in_the_archive_is_named(uploaded, s3, postgres):
    store, prefix, folder = uploaded
    files = download(store, s3.bucket, prefix, folder)
    files["run_source.dump.manifest"] += b"public.ghost\t1\tx\n"
    files["run_source.dump.manifest.sha256"] = seal(files["run_source.dump.manifest"], "run_source.dump.manifest")
    _, problems = check(files, str(postgres.bindir / "pg_restore"))
    assert problems == ["table public.ghost: in the manifest, no data in the archive"]


def test_a_truncated_archive_resealed_is_unreadable(uploaded, s3, postgres):
    store, prefix, folder = uploaded
    files = download(store, s3.bucket, prefix, folder)
    files["run_source.dump"] = files["run_source.dump"][:200]
    files["run_source.dump.sha256"] = seal(files["run_source.dump"], "run_source.dump")
    _, problems = check(files, str(postgres.bindir / "pg_restore"))
    assert len(problems) == 1 and problems[0].startswith("pg_restore cannot read run_source.dump: "), problems


def test_a_missing_checksum_or_manifest_is_named(uploaded, s3, postgres):
    store, prefix, folder = uploaded
    files = download(store, s3.bucket, prefix, folder)
    del files["run_source.dump.manifest"], files["run_source.dump.manifest.sha256"]
    assert check(files, str(postgres.bindir / "pg_restore"))[1] == ["no run_source.dump.manifest beside the archive"]
    del files["run_source.dump.sha256"]
    assert check(files, str(postgres.bindir / "pg_restore"))[1][0] == "run_source.dump has no run_source.dump.sha256"


def test_dump_waits_for_the_database_then_says_it_never_answered(postgres, tools_path, tmp_path):
    env = {**postgres.env("acme"), "PGPORT": "1", "BACKUP_DIR": str(tmp_path), "DB_WAIT_SECONDS": "2"}
    started = time.monotonic()
    done = run_script("dump.sh", env, tools_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "dump: the database did not accept connections within 2 s"
    assert 1 <= time.monotonic() - started < 15
    assert list(tmp_path.iterdir()) == []
