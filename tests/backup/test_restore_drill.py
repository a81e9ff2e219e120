"""The restore drill (drill.py) and the manifest dump.sh writes for it, against a real PostgreSQL,
moto's S3 server and the real Pushgateway on loopback, as the drill CronJob runs them.

The drill passes on a good backup and fails naming the table on a damaged one: a dump whose bytes
were damaged before its checksum was taken, a truncated one, and one whose manifest disagrees.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from services import S3, SCRIPTS, Postgres, aws, free_port, run_script

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collector"))
from pushgateway import BINARY as PUSHGATEWAY, Pushgateway  # noqa: E402

pytestmark = pytest.mark.slow

ROWS = {"public.customers": 5000, "public.orders": 19990}
SCRATCH = "acme_restore_drill"
EXPORTED = Path(__file__).resolve().parents[2] / "policy" / "exported-metrics.yaml"


@pytest.fixture(scope="module")
def source(postgres) -> str:
    """Database `drill_source` with the seed data (its own, so the round trip's database stays as it is)."""
    return postgres.seeded("drill_source")


@pytest.fixture(scope="module")
def pushgateway(tmp_path_factory):
    if not PUSHGATEWAY.exists():
        pytest.skip(f"no Pushgateway at {PUSHGATEWAY}: run make collector-deps")
    port = free_port()
    gateway = Pushgateway([str(PUSHGATEWAY), f"--web.listen-address=127.0.0.1:{port}"], port,
                          tmp_path_factory.mktemp("pushgateway") / "log").start()
    yield gateway
    gateway.kill()


def drill_metrics(gateway: Pushgateway, database: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{gateway.url}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {sample.name: sample.value for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name.startswith("acme_restore_drill_") and sample.labels.get("database") == database
            and sample.labels.get("job") == "acme-restore-drill"}


def dump(postgres: Postgres, tools_path: str, database: str, workdir: Path) -> Path:
    workdir.mkdir()
    dumped = run_script("dump.sh", {**postgres.env(database), "BACKUP_DIR": str(workdir)}, tools_path)
    assert dumped.returncode == 0, dumped.stderr
    return workdir


def upload(s3: S3, tools_path: str, prefix: str, workdir: Path) -> str:
    uploaded = run_script("upload.sh", {**s3.env(prefix), "BACKUP_DIR": str(workdir)}, tools_path)
    assert uploaded.returncode == 0, uploaded.stderr
    return uploaded.stdout.strip().rsplit("/", 1)[-1]


def reseal(path: Path) -> None:
    """A new .sha256 for a changed file: damage that happened before the checksum was taken."""
    path.with_name(path.name + ".sha256").write_text(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")


def drill(postgres: Postgres, s3: S3, tools_path: str, database: str, prefix: str, gateway: Pushgateway | None,
          tmp_path: Path, **extra: str):
    env = {**postgres.env(database), **s3.env(prefix), "SCRATCH_DATABASE": SCRATCH, "DRILL_DIR": str(tmp_path),
           "PUSHGATEWAY_URL": gateway.url if gateway else "", **extra}
    return run_script("drill.py", env, tools_path)


def manifest(workdir: Path, database: str) -> dict[str, list[str]]:
    lines = (workdir / f"{database}.dump.manifest").read_text().splitlines()
    return {line.split("\t")[0]: line.split("\t")[1:] for line in lines}


def test_dump_writes_the_manifest_of_what_it_dumped(postgres, s3, tools_path, source, tmp_path):
    workdir = dump(postgres, tools_path, source, tmp_path / "backup")
    recorded = manifest(workdir, source)
    assert {table: int(rows) for table, (rows, _) in recorded.items()} == ROWS
    assert all(len(checksum) == 32 for _, checksum in recorded.values())
    upload(s3, tools_path, "manifest", workdir)
    names = [key.rsplit("/", 1)[-1] for key in s3.keys("manifest")]
    assert names == [f"{source}.dump", f"{source}.dump.manifest", f"{source}.dump.manifest.sha256",
                     f"{source}.dump.sha256"]


def test_manifest_counts_inside_the_dump_snapshot(postgres, tools_path, source, tmp_path):
    """Rows written while pg_dump runs are in neither the dump nor the manifest: both read one snapshot.
    A second session holds a lock pg_dump must wait for, commits an insert, then releases the lock."""
    holder = subprocess.Popen([postgres.bindir / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"],
                              stdin=subprocess.PIPE, text=True, env={**os.environ, **postgres.env(source)})
    # ACCESS EXCLUSIVE blocks pg_dump's ACCESS SHARE lock, taken after its snapshot was exported.
    holder.stdin.write("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\n")
    holder.stdin.flush()
    time.sleep(0.5)
    workdir = tmp_path / "backup"
    workdir.mkdir()
    result = {}
    worker = threading.Thread(target=lambda: result.update(done=run_script(
        "dump.sh", {**postgres.env(source), "BACKUP_DIR": str(workdir)}, tools_path)))
    worker.start()
    time.sleep(1.5)  # pg_dump has exported and is waiting for the lock
    holder.stdin.write("INSERT INTO customers (name, created_at) VALUES ('late', now()); COMMIT;\n")
    holder.stdin.close()
    holder.wait(timeout=30)
    worker.join(timeout=60)
    assert result["done"].returncode == 0, result["done"].stderr
    try:
        assert int(manifest(workdir, source)["public.customers"][0]) == ROWS["public.customers"]
        assert postgres.psql(source, "SELECT count(*) FROM customers") == str(ROWS["public.customers"] + 1)
    finally:
        postgres.psql(source, "DELETE FROM customers WHERE name = 'late'")


def test_drill_passes_on_a_good_backup_and_publishes_it(postgres, s3, tools_path, source, pushgateway, tmp_path,
                                                        record_property):
    backup = upload(s3, tools_path, "good", dump(postgres, tools_path, source, tmp_path / "backup"))
    done = drill(postgres, s3, tools_path, source, "good", pushgateway, tmp_path,
                 DRILL_RESULT_FILE=str(tmp_path / "result"))
    assert done.returncode == 0, done.stderr
    assert f"drill: PASS {backup}: 2 tables, 24990 rows restored into {SCRATCH} match the backup" in done.stderr
    # What the pod's termination message holds (DRILL_RESULT_FILE): the drill's lines, the verdict last.
    said = [line for line in done.stderr.splitlines() if line.startswith("drill: ")]
    assert (tmp_path / "result").read_text().splitlines() == said
    seen = drill_metrics(pushgateway, source)
    assert seen["acme_restore_drill_success"] == 1
    assert seen["acme_restore_drill_tables_compared"] == 2
    assert seen["acme_restore_drill_tables_mismatched"] == 0
    assert seen["acme_restore_drill_rows_restored"] == 24990
    assert seen["acme_restore_drill_last_success_timestamp_seconds"] == seen["acme_restore_drill_last_run_timestamp_seconds"]
    assert 0 <= seen["acme_restore_drill_backup_age_seconds"] < 600
    # The scratch copy is gone, the live database untouched.
    assert postgres.psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{SCRATCH}'") == "0"
    assert postgres.psql(source, "SELECT count(*) FROM orders") == "19990"
    record_property("drill_seconds", seen["acme_restore_drill_duration_seconds"])
    # What the alert rules may query of the drill (policy/exported-metrics.yaml) is what it pushes.
    exporters = yaml.safe_load(EXPORTED.read_text())["exporters"]
    listed = next(e["metrics"] for e in exporters if e["name"] == "acme-restore-drill")
    assert set(seen) == set(listed)


def test_a_failed_drill_keeps_the_last_success(postgres, s3, tools_path, source, pushgateway, tmp_path):
    upload(s3, tools_path, "keeps", dump(postgres, tools_path, source, tmp_path / "good"))
    assert drill(postgres, s3, tools_path, source, "keeps", pushgateway, tmp_path).returncode == 0
    before = drill_metrics(pushgateway, source)
    workdir = dump(postgres, tools_path, source, tmp_path / "bad")
    lines = (workdir / f"{source}.dump.manifest").read_text().replace("\t5000\t", "\t5001\t")
    (workdir / f"{source}.dump.manifest").write_text(lines)
    time.sleep(1.1)  # a newer backup folder (second resolution)
    upload(s3, tools_path, "keeps", workdir)
    done = drill(postgres, s3, tools_path, source, "keeps", pushgateway, tmp_path)
    assert done.returncode == 1
    assert "drill: table public.customers: 5001 rows at backup, 5000 restored" in done.stderr
    after = drill_metrics(pushgateway, source)
    assert after["acme_restore_drill_success"] == 0
    assert after["acme_restore_drill_tables_mismatched"] == 1
    assert after["acme_restore_drill_last_success_timestamp_seconds"] == before["acme_restore_drill_last_success_timestamp_seconds"]


def damage(archive: Path, offset_fraction: float) -> None:
    data = bytearray(archive.read_bytes())
    at = int(len(data) * offset_fraction)
    data[at:at + 64] = bytes(64)
    archive.write_bytes(bytes(data))


def truncate(archive: Path, keep_fraction: float) -> None:
    data = archive.read_bytes()
    archive.write_bytes(data[:int(len(data) * keep_fraction)])


@pytest.mark.parametrize("harm, table", [
    (lambda a: damage(a, 0.8), "public.orders"),    # zeroed bytes inside the orders data (the last block)
    (lambda a: truncate(a, 0.6), "public.orders"),  # cut off in the middle of the orders data
], ids=["corrupted", "truncated"])
def test_drill_fails_naming_the_table(postgres, s3, tools_path, source, harm, table, tmp_path):
    prefix = f"harmed-{len(list(tmp_path.parent.iterdir()))}"
    workdir = dump(postgres, tools_path, source, tmp_path / "backup")
    archive = workdir / f"{source}.dump"
    harm(archive)
    reseal(archive)
    upload(s3, tools_path, prefix, workdir)
    done = drill(postgres, s3, tools_path, source, prefix, None, tmp_path, DRILL_RESULT_FILE=str(tmp_path / "result"))
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "result").read_text().splitlines()[-1].startswith("drill: FAIL")
    assert f"drill: table {table}: 19990 rows at backup" in done.stderr
    assert "drill: table public.customers" not in done.stderr  # the intact table is not blamed
    assert "drill: FAIL" in done.stderr
    assert "acme_restore_drill_success 0" in done.stdout  # printed without a Pushgateway


def test_drill_refuses_the_live_database(postgres, s3, tools_path, source, tmp_path):
    done = drill(postgres, s3, tools_path, source, "good", None, tmp_path, SCRATCH_DATABASE=source)
    assert done.returncode == 2
    assert done.stderr.strip() == f"drill: SCRATCH_DATABASE is {source}, the live database; name a scratch database"
    assert postgres.psql(source, "SELECT count(*) FROM orders") == "19990"


def test_drill_without_a_manifest_says_so(postgres, s3, tools_path, source, tmp_path):
    workdir = dump(postgres, tools_path, source, tmp_path / "backup")
    (workdir / f"{source}.dump.manifest").unlink()
    backup = upload(s3, tools_path, "no-manifest", workdir)
    done = drill(postgres, s3, tools_path, source, "no-manifest", None, tmp_path)
    assert done.returncode == 1
    assert f"drill: FAIL {backup} has no manifest ({source}.dump.manifest" in done.stderr


def test_drill_without_any_backup_says_so(postgres, s3, tools_path, source, tmp_path):
    done = drill(postgres, s3, tools_path, source, "nothing-here", None, tmp_path)
    assert done.returncode == 1
    assert f"drill: FAIL no complete backup under s3://{s3.bucket}/nothing-here/" in done.stderr
    assert "acme_restore_drill_success 0" in done.stdout


def drill_module():
    spec = importlib.util.spec_from_file_location("drill", SCRIPTS / "drill.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.parametrize("lines, limit, kept", [
    (["drill: a", "drill: b", "drill: PASS x"], 4096, "drill: a\ndrill: b\ndrill: PASS x\n"),
    (["drill: a" * 10, "drill: b", "drill: FAIL x"], 30, "drill: b\ndrill: FAIL x\n"),
    (["drill: a", "drill: FAIL " + "y" * 40], 20, "drill: FAIL yyyyyyy\n"),
], ids=["all-fit", "oldest-dropped", "verdict-cut-to-fit"])
def test_the_result_file_keeps_the_newest_lines_within_the_limit(lines, limit, kept):
    text = drill_module().result_text(lines, limit)
    assert text == kept and len(text.encode()) <= limit
