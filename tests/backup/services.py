"""Clients and helpers for the loopback services of the backup tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = REPO_ROOT / "charts" / "acme-platform" / "charts" / "backup" / "scripts"
MOTO_SERVER = REPO_ROOT / ".cache" / "backup-s3" / "venv" / "bin" / "moto_server"
AWS = Path("/usr/bin/aws")


def missing(reason: str) -> None:
    hint = f"{reason}: run tests/backup/install-deps.sh"
    if os.environ.get("ACME_REQUIRE_BACKUP_DEPS") == "1":
        pytest.fail(hint)
    pytest.skip(hint)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


@dataclass(frozen=True)
class Postgres:
    bindir: Path
    port: int
    user: str
    password: str
    data: Path | None = None
    as_user: tuple[str, ...] = ()

    def pg_ctl(self, *args: str) -> None:
        """Control the server itself (stop it, say) as the user it runs as."""
        subprocess.run([*self.as_user, self.bindir / "pg_ctl", "-D", self.data, *args], check=True, capture_output=True)

    def env(self, database: str) -> dict[str, str]:
        """libpq variables for a TCP connection with a password, as the CronJob connects."""
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": self.user,
                "PGPASSWORD": self.password, "PGDATABASE": database, "PGSSLMODE": "disable"}

    def seeded(self, database: str) -> str:
        """`database` made anew, owned by acme, with the seed data (tests/backup/seed.sql)."""
        self.psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self.psql("postgres", f"CREATE DATABASE {database} OWNER acme")
        self.psql(database, (Path(__file__).parent / "seed.sql").read_text())
        return database

    def psql(self, database: str, sql: str) -> str:
        proc = subprocess.run([self.bindir / "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              env={**os.environ, **self.env(database)}, capture_output=True, text=True, check=True)
        return proc.stdout.strip()


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster (Debian's server) on 127.0.0.1 with role `acme` (password auth) owning database `acme`."""
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
        yield Postgres(bindir, port, "acme", password, data, tuple(as_user))
    finally:
        subprocess.run([*as_user, bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str

    def env(self, prefix: str) -> dict[str, str]:
        return {"S3_ENDPOINT": self.endpoint, "S3_BUCKET": self.bucket, "S3_PREFIX": prefix,
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}

    def keys(self, prefix: str) -> list[str]:
        proc = aws(["s3", "ls", "--recursive", f"s3://{self.bucket}/{prefix}/"], self.env(prefix), check=False)
        return sorted(line.split()[-1] for line in proc.stdout.splitlines() if line.strip())


def aws(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([AWS, "--endpoint-url", env["S3_ENDPOINT"], *args], env={**os.environ, **env},
                          capture_output=True, text=True, check=check)


@contextmanager
def running_s3(log_path: Path) -> Iterator[S3]:
    """moto's S3 server on 127.0.0.1 with one bucket."""
    if not MOTO_SERVER.exists():
        missing(f"no S3 server at {MOTO_SERVER}")
    if not AWS.exists():
        missing("no AWS CLI at /usr/bin/aws")
    port = free_port()
    log = log_path.open("w")
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


def run_script(name: str, env: dict[str, str], path: str, *args: str) -> subprocess.CompletedProcess:
    """One of the chart's backup scripts, exactly as shipped, as the pod runs it: shell scripts under
    /bin/sh, Python ones under Debian's python3 (the backup image's, which its AWS CLI brings)."""
    interpreter = "/usr/bin/python3" if name.endswith(".py") else "/bin/sh"
    return subprocess.run([interpreter, SCRIPTS / name, *args], env={**os.environ, **env, "PATH": path},
                          capture_output=True, text=True)
