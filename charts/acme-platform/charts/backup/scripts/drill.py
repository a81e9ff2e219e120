"""Restore drill: restores the newest complete backup into a scratch database (never the live one),
compares every table's row count and checksum with the manifest dump.sh recorded in the dump's own
snapshot, and pushes the result to the Pushgateway.

Server: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE); PGDATABASE is the
database the backups are of, used only to name the backup files and to connect for CREATE and DROP
DATABASE. SCRATCH_DATABASE is recreated, restored into and dropped. Source: S3_ENDPOINT (empty: AWS),
S3_BUCKET, S3_PREFIX. PUSHGATEWAY_URL: the metrics collector (empty: print the metrics only).
DRILL_RESULT_FILE (optional): where the drill's lines go at exit too, newest kept within the 4096
bytes of a Kubernetes termination message, so its verdict can be read where pod logs cannot.
Needs aws, psql and pg_restore on PATH; Python's standard library only (it runs in the backup image,
whose Python is the AWS CLI's).

Exit 0: every table matches; 1: a difference, a damaged or missing backup, or a failed step;
2: the configuration is unusable (a variable missing, the scratch database is the live one).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
JOB = "acme-restore-drill"
FOLDER_TIME = "%Y%m%dT%H%M%SZ"  # upload.sh names each backup folder by its UTC time
RESULT_LIMIT = 4096  # bytes of a termination message the kubelet keeps
SAID: list[str] = []  # every line said, in order, for DRILL_RESULT_FILE


class Failed(Exception):
    """The drill ran and the backup did not come back whole (exit 1)."""


class Unusable(Exception):
    """The drill cannot run with this configuration (exit 2)."""


def say(line: str) -> None:
    SAID.append(f"drill: {line}")
    print(SAID[-1], file=sys.stderr, flush=True)


def result_text(lines: list[str], limit: int = RESULT_LIMIT) -> str:
    """The newest lines that fit in `limit` bytes: the verdict is said last, so it is always kept."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line.encode()) + 1
        if size > limit and kept:
            break
        kept.append(line[:limit - 1] if size > limit else line)
    return "".join(f"{line}\n" for line in reversed(kept))


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise Unusable(f"{name} is required")
    return value


def run(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        reason = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:]) or f"exit {done.returncode}"
        raise Failed(f"{what}: {reason}")
    return done.stdout


@dataclass
class Store:
    """The backups' S3 location, through the AWS CLI as upload.sh writes it."""

    bucket: str
    prefix: str
    endpoint: str = ""

    def aws(self, *args: str) -> list[str]:
        return ["aws", *(["--endpoint-url", self.endpoint] if self.endpoint else []), *args]

    def url(self, *parts: str) -> str:
        return "/".join([f"s3://{self.bucket}/{self.prefix}", *parts])

    def latest(self, name: str) -> str | None:
        """The newest folder holding `name`.sha256: upload.sh writes checksums last, so it is complete."""
        listed = subprocess.run(self.aws("s3", "ls", "--recursive", self.url("")), capture_output=True, text=True)
        if listed.returncode != 0 and (listed.stderr.strip() or listed.returncode != 1):  # 1, silent: nothing there
            raise Failed(f"listing {self.url('')}: {listed.stderr.strip() or f'exit {listed.returncode}'}")
        keys = [line.split()[-1] for line in listed.stdout.splitlines() if line.strip()]
        folders = [key.split("/")[-2] for key in keys if key.endswith(f"/{name}.sha256") and "/" in key]
        return max(folders, default=None)

    def download(self, folder: str, into: Path) -> None:
        """Every file of `folder` in one call (each AWS CLI start costs seconds on a busy node)."""
        run(self.aws("s3", "cp", "--recursive", "--only-show-errors", self.url(folder), str(into)),
            f"downloading {folder}")


def checked(folder: str, name: str, into: Path) -> Path:
    """`name` as downloaded into `into`, its content checked against its .sha256 (Failed if either is
    missing, the checksum file is empty or malformed, or the content differs)."""
    seal = into / f"{name}.sha256"
    if not (into / name).is_file() or not seal.is_file():
        raise Failed(f"{folder}/{name} or its .sha256 is missing")
    expected = (seal.read_text(errors="replace").split() or [""])[0]
    digest = hashlib.sha256()
    with (into / name).open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise Failed(f"{folder}/{name} does not match its checksum")
    return into / name


def psql(database: str, *args: str) -> str:
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, *args], f"psql on {database}")


def read_manifest(text: str) -> dict[str, tuple[int, str]]:
    """manifest.sql's lines: table, rows, checksum."""
    tables = {}
    for line in text.splitlines():
        if line.strip():
            table, rows, checksum = line.split("\t")
            tables[table] = (int(rows), checksum)
    return tables


def differences(backup: dict[str, tuple[int, str]], restored: dict[str, tuple[int, str]]) -> list[str]:
    """One sentence per table that did not come back as the backup recorded it."""
    found = []
    for table in sorted(backup.keys() | restored.keys()):
        if table not in restored:
            found.append(f"table {table}: {backup[table][0]} rows at backup, missing after restore")
        elif table not in backup:
            found.append(f"table {table}: restored but not in the backup's manifest")
        elif backup[table][0] != restored[table][0]:
            found.append(f"table {table}: {backup[table][0]} rows at backup, {restored[table][0]} restored")
        elif backup[table][1] != restored[table][1]:
            found.append(f"table {table}: checksum differs ({backup[table][0]} rows both)")
    return found


@dataclass
class Result:
    """What monitoring sees of one drill (alerts AcmeRestoreDrillFailed, AcmeRestoreDrillStale, AcmeBackupStale)."""

    started: float = field(default_factory=time.time)
    backup: str = ""
    backup_time: float = 0
    compared: int = 0
    mismatched: int = 0
    rows: int = 0
    passed: bool = False

    def metrics(self, now: float) -> str:
        series = {"success": int(self.passed), "last_run_timestamp_seconds": int(now),
                  "duration_seconds": round(now - self.started, 3), "tables_compared": self.compared,
                  "tables_mismatched": self.mismatched, "rows_restored": self.rows}
        # Only a success moves this one: POST keeps the group's other series, so a failed drill
        # leaves the time of the last success in place.
        if self.passed:
            series["last_success_timestamp_seconds"] = int(now)
        if self.backup_time:
            series["backup_timestamp_seconds"] = int(self.backup_time)
            series["backup_age_seconds"] = int(self.started - self.backup_time)
        return "".join(f"# TYPE acme_restore_drill_{name} gauge\nacme_restore_drill_{name} {value}\n"
                       for name, value in series.items())


def push(url: str, database: str, text: str) -> None:
    request = urllib.request.Request(f"{url.rstrip('/')}/metrics/job/{JOB}/database/{database}", data=text.encode(),
                                     method="POST", headers={"Content-Type": "text/plain; version=0.0.4"})
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except OSError as err:
        raise Failed(f"could not push the result to {url}: {err}") from None


def drill(database: str, scratch: str, store: Store, work: Path, result: Result) -> None:
    result.backup = store.latest(f"{database}.dump") or ""
    if not result.backup:
        raise Failed(f"no complete backup under {store.url('')}")
    result.backup_time = datetime.datetime.strptime(result.backup, FOLDER_TIME).replace(
        tzinfo=datetime.timezone.utc).timestamp()
    store.download(result.backup, work)
    try:
        manifest = checked(result.backup, f"{database}.dump.manifest", work)
    except Failed:
        raise Failed(f"{result.backup} has no manifest ({database}.dump.manifest, written by dump.sh beside the dump) "
                     "or it does not match its checksum") from None
    archive = checked(result.backup, f"{database}.dump", work)
    backup = read_manifest(manifest.read_text())

    psql(database, "-c", f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)', "-c", f'CREATE DATABASE "{scratch}"')
    # No single transaction and no stop at the first error: a damaged archive restores what it
    # can, and the comparison names every table that did not come back whole.
    restored = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={scratch}", str(archive)],
                              capture_output=True, text=True)
    if restored.returncode != 0:
        errors = [line for line in restored.stderr.splitlines() if "error" in line.lower()]
        say(f"pg_restore reported {len(errors)} error(s); first: {errors[0] if errors else restored.stderr.strip()}")
    copy = read_manifest(psql(scratch, "-f", str(HERE / "manifest.sql")))

    found = differences(backup, copy)
    result.compared, result.mismatched = len(backup), len(found)
    result.rows = sum(rows for rows, _ in copy.values())
    for line in found:
        say(line)
    if found or restored.returncode != 0:
        raise Failed(f"{result.backup}: {len(found)} of {len(backup)} tables differ from the backup")


def main() -> int:
    result = Result()
    try:
        database, scratch = required("PGDATABASE"), required("SCRATCH_DATABASE")
        store = Store(required("S3_BUCKET"), required("S3_PREFIX"), os.environ.get("S3_ENDPOINT", ""))
        if scratch in (database, os.environ.get("SOURCE_DATABASE", database)):
            raise Unusable(f"SCRATCH_DATABASE is {scratch}, the live database; name a scratch database")
    except Unusable as err:
        say(f"{err}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="drill.", dir=os.environ.get("DRILL_DIR") or None))
    try:
        drill(database, scratch, store, work, result)
        result.passed = True
    except Failed as err:
        say(f"FAIL {err}")
    finally:
        subprocess.run(["psql", "-X", "-q", "-d", database, "-c", f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'],
                       capture_output=True)
        for path in sorted(work.iterdir()):
            path.unlink()
        work.rmdir()
    text = result.metrics(time.time())
    url = os.environ.get("PUSHGATEWAY_URL", "")
    try:
        push(url, database, text) if url else sys.stdout.write(text)
    except Failed as err:
        say(f"FAIL {err}")
        return 1
    if result.passed:
        say(f"PASS {result.backup}: {result.compared} tables, {result.rows} rows restored into {scratch} "
            "match the backup")
    return 0 if result.passed else 1


if __name__ == "__main__":
    code = main()
    if os.environ.get("DRILL_RESULT_FILE"):
        try:
            Path(os.environ["DRILL_RESULT_FILE"]).write_text(result_text(SAID))
        except OSError as err:  # the log still has every line
            print(f"drill: could not write DRILL_RESULT_FILE: {err}", file=sys.stderr)
    sys.exit(code)
