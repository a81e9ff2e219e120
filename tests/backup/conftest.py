"""Real services on loopback for the backup scripts: a PostgreSQL cluster and an S3 endpoint (moto).

Both come from tests/backup/install-deps.sh. Without them the tests skip with that hint, unless
ACME_REQUIRE_BACKUP_DEPS=1 (what `make test` sets), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
# This directory's helpers, and the harness render helpers shared with tests/observability.
sys.path[:0] = [str(HERE), str(HERE.parent / "observability")]

from services import AWS, MOTO_SERVER, S3, Postgres, aws, free_port, missing, running_postgres, wait_for_port  # noqa: E402


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway cluster on 127.0.0.1 with role `acme` (password auth) owning database `acme`."""
    with running_postgres() as server:
        yield server


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
