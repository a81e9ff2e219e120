"""Real services on loopback for the backup scripts: a PostgreSQL cluster and an S3 endpoint (moto).

Both come from tests/backup/install-deps.sh. Without them the tests skip with that hint, unless
ACME_REQUIRE_BACKUP_DEPS=1 (what `make test` sets), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
# This directory's helpers, and the harness render helpers shared with tests/observability.
sys.path[:0] = [str(HERE), str(HERE.parent / "observability")]

from services import AWS, MOTO_SERVER, S3, Postgres, aws, free_port, missing, wait_for_port  # noqa: E402


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway cluster on 127.0.0.1 with role `acme` (password auth) owning database `acme`."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        missing("no PostgreSQL server from Debian's packages")
    bindir = candidates[-1].parent
    # initdb refuses to run as root: run the server as the package's `postgres` user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="acme-pg-"))
    if as_user:
        entry = pwd.getpwnam("postgres")
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data, port, password = base / "data", free_port(), "s3cret-for-tests"
    subprocess.run([*as_user, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
                    "--encoding=UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base}"
    subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-o", options, "-l", base / "server.log", "-w", "start"],
                   check=True, capture_output=True)
    try:
        admin = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres"}
        for sql in (f"CREATE ROLE acme LOGIN CREATEDB PASSWORD '{password}'",
                    "CREATE DATABASE acme OWNER acme"):
            subprocess.run([bindir / "psql", "-X", "-q", "-d", "postgres", "-c", sql], env=admin, check=True,
                           capture_output=True)
        # From here on only password logins over TCP, like the backup pod's.
        hba = data / "pg_hba.conf"
        hba.write_text("local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "reload"], check=True, capture_output=True)
        yield Postgres(bindir, port, "acme", password)
    finally:
        subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def s3(tmp_path_factory) -> Iterator[S3]:
    """moto's S3 server on 127.0.0.1 with one bucket."""
    if not MOTO_SERVER.exists():
        missing(f"no S3 server at {MOTO_SERVER}")
    if not AWS.exists():
        missing("no AWS CLI at /usr/bin/aws")
    port = free_port()
    log = (tmp_path_factory.mktemp("s3") / "moto.log").open("w")
    server = subprocess.Popen([MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server)
        store = S3(f"http://127.0.0.1:{port}", "acme-backups")
        aws(["s3", "mb", f"s3://{store.bucket}"], store.env("setup"))
        yield store
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def tools_path(postgres) -> str:
    """PATH for the scripts: this PostgreSQL's client tools and Debian's aws before anything else."""
    return f"{postgres.bindir}{os.pathsep}/usr/bin{os.pathsep}{os.environ.get('PATH', '')}"
