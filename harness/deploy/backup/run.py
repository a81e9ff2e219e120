"""`harness backup run`: the database dump now, as a Job made from CronJob acme-db-backup, waited for;
then the backup it wrote is downloaded from the object store and checked: every file matches its
.sha256, pg_restore reads the archive's table of contents, and every table of the manifest (what
dump.sh counted inside the dump's own snapshot) has its data in the archive."""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kubernetes import client

from ...core.errors import HarnessError
from ...tools.process import run as run_tool
from .jobs import cronjob, failure, finished, run_now
from .store import DUMP_CRONJOB as CRONJOB, ObjectStore, credentials, destination

COMMAND = "backup run"
FOLDER = re.compile(r"^\d{8}T\d{6}Z$")  # upload.sh names each backup folder by its UTC time
FOLDER_TIME = "%Y%m%dT%H%M%SZ"
# pg_restore --list: "<id>; <table oid> <oid> TABLE DATA <schema> <table> <owner>"
TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ")


@dataclass(frozen=True)
class Outcome:
    job: str
    passed: bool
    seconds: float  # from creating the Job until it finished
    lines: list[str] = field(default_factory=list)
    reason: str = ""

    def report(self) -> list[str]:
        state = "PASS" if self.passed else "FAIL"
        return [f"{COMMAND}: Job {self.job} finished in {self.seconds:.1f} s", *self.lines,
                f"{COMMAND}: {state}" + (f": {self.reason}" if self.reason else "")]


def newest_folder(keys: dict[str, int], prefix: str, archive_suffix: str = ".dump") -> str | None:
    """The newest backup folder under `prefix` that is complete (its archive's .sha256 is there:
    upload.sh sends the checksums last)."""
    folders = set()
    for key in keys:
        parts = key[len(prefix):].strip("/").split("/")
        if len(parts) == 2 and FOLDER.match(parts[0]) and parts[1].endswith(archive_suffix + ".sha256"):
            folders.add(parts[0])
    return max(folders) if folders else None


def pg_restore() -> str:
    """pg_restore on PATH, else the newest of Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("pg_restore") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_restore"),
                                key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0, reverse=True)), None)
    if found is None:
        raise HarnessError(f"{COMMAND}: pg_restore not found (PostgreSQL's client checks the dump); run: make backup-deps")
    return found


def check(files: dict[str, bytes], restore: str) -> tuple[list[str], list[str]]:
    """(what was found, what is wrong) about one downloaded backup folder."""
    found, problems = [], []
    for name, data in sorted(files.items()):
        if name.endswith(".sha256"):
            continue
        seal = files.get(f"{name}.sha256")
        if seal is None:
            problems.append(f"{name} has no {name}.sha256")
        elif seal.decode(errors="replace").split()[:1] != [hashlib.sha256(data).hexdigest()]:
            problems.append(f"{name} does not match {name}.sha256")
    archives = [name for name in files if name.endswith(".dump")]
    if len(archives) != 1:
        return found, problems + [f"{len(archives)} archives (*.dump) in the folder, want 1"]
    archive = archives[0]
    manifest = files.get(f"{archive}.manifest")
    if manifest is None:
        return found, problems + [f"no {archive}.manifest beside the archive"]
    tables = {line.split("\t")[0]: line.split("\t")[1] for line in manifest.decode().splitlines() if "\t" in line}
    with tempfile.TemporaryDirectory(prefix="acme-backup-run-") as scratch:
        path = Path(scratch) / archive
        path.write_bytes(files[archive])
        listed = run_tool([restore, "--list", str(path)], what=f"pg_restore --list {archive}", timeout=120)
    if not listed.ok:
        return found, problems + [f"pg_restore cannot read {archive}: {listed.tail(1)}"]
    in_archive = {f"{m.group(1)}.{m.group(2)}" for m in map(TABLE_DATA.match, str(listed.stdout).splitlines()) if m}
    for table, rows in sorted(tables.items()):
        if table in in_archive:
            found.append(f"table {table}: {rows} rows at backup, its data in the archive")
        else:
            problems.append(f"table {table}: in the manifest, no data in the archive")
    found.insert(0, f"{archive}: {len(files[archive])} bytes, {len(tables)} tables in the manifest, "
                    f"{len(in_archive)} with data in the archive")
    return found, problems


def backup_run(api: client.ApiClient, namespace: str, store_url: str | None, timeout: float = 3600,
               poll: float = 1.0, log: Callable[[str], None] = lambda line: None) -> Outcome:
    source = cronjob(api, COMMAND, namespace, CRONJOB, "enable backup.pgDump in the acme-platform values")
    where = destination(source)
    since = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(seconds=1)
    started = time.monotonic()
    job = run_now(api, COMMAND, source, "run", timeout, poll, log)
    name, seconds = job["metadata"]["name"], time.monotonic() - started
    state = finished(job)
    if state != "Complete":
        return Outcome(name, False, seconds, reason="the Job did not finish" if state is None
                       else f"the Job failed: {failure(job)}")
    location = f"s3://{where.bucket}/{where.prefix}"
    if store_url is None:
        return Outcome(name, True, seconds, [f"{COMMAND}: the dump is in {location}; not downloaded "
                                             "(only the local cluster's object store is read from here)"])
    pair = credentials(api, namespace, where)
    if pair is None:
        raise HarnessError(f"{COMMAND}: no Secret {namespace}/{where.secret}: the Job could not have uploaded")
    store = ObjectStore(store_url, pair)
    keys = store.keys(where.bucket, f"{where.prefix}/")
    folder = newest_folder(keys, where.prefix)
    if folder is None or datetime.datetime.strptime(folder, FOLDER_TIME).replace(tzinfo=datetime.timezone.utc) < since:
        return Outcome(name, False, seconds, reason=f"the Job completed but wrote no complete backup folder to {location}")
    prefix = f"{where.prefix}/{folder}/"
    downloaded = time.monotonic()
    files = {key[len(prefix):]: store.get(where.bucket, key) for key in keys if key.startswith(prefix)}
    found, problems = check(files, pg_restore())
    lines = [f"{COMMAND}: downloaded {location}/{folder}/ ({sum(map(len, files.values()))} bytes, "
             f"{len(files)} files) in {time.monotonic() - downloaded:.1f} s",
             *(f"{COMMAND}: {line}" for line in found), *(f"{COMMAND}: {line}" for line in problems)]
    return Outcome(name, not problems, seconds, lines, f"{len(problems)} problem(s) with the backup" if problems else "")
