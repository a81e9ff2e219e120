"""Real services on loopback for the backup scripts: a PostgreSQL cluster and an S3 endpoint (moto).

Both come from tests/backup/install-deps.sh. Without them the tests skip with that hint, unless
ACME_REQUIRE_BACKUP_DEPS=1 (what `make test` sets), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
# This directory's helpers, and the harness render helpers shared with tests/observability.
sys.path[:0] = [str(HERE), str(HERE.parent / "observability")]

from services import S3, Postgres, running_postgres, running_s3  # noqa: E402


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway cluster on 127.0.0.1 with role `acme` (password auth) owning database `acme`."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def s3(tmp_path_factory) -> Iterator[S3]:
    """moto's S3 server on 127.0.0.1 with one bucket."""
    with running_s3(tmp_path_factory.mktemp("s3") / "moto.log") as store:
        yield store


@pytest.fixture(scope="session")
def tools_path(postgres) -> str:
    """PATH for the scripts: this PostgreSQL's client tools and Debian's aws before anything else."""
    return f"{postgres.bindir}{os.pathsep}/usr/bin{os.pathsep}{os.environ.get('PATH', '')}"
