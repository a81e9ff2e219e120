#!/usr/bin/env bash
# Installs what the backup round-trip test (tests/backup) runs for real:
#  - from Debian's packages: a PostgreSQL server and client (initdb, pg_ctl, pg_dump, pg_restore,
#    psql) and the AWS CLI v2 (/usr/bin/aws, the major version of the uploader image);
#  - from PyPI, pinned: moto's S3 server in its own venv under .cache/backup-s3/.
# Idempotent: installs only what is missing or whose pins changed, so make can call it every time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=$root/.cache/backup-s3/venv
requirements=$root/tests/backup/s3-server-requirements.txt

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -x "$(pg_bindir)/initdb" ] || missing+=(postgresql)
[ -x /usr/bin/aws ] || missing+=(awscli)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "backup deps: installing ${missing[*]} from Debian's packages"
  # The package's own cluster is not used: the test starts its own on loopback.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The stamp holds the hash of the pins the venv was built from; a change rebuilds it.
want=$(sha256sum "$requirements" | cut -c1-16)
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$want" ]; then
  echo "backup deps: building the S3 server venv ($venv)"
  rm -rf "$venv"
  python3.11 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" \
    || { echo "backup deps: pip install failed (PyPI unreachable?); retry with: $0" >&2; exit 1; }
  echo "$want" >"$venv/.pins"
fi
echo "backup deps: PostgreSQL in $(pg_bindir), /usr/bin/aws, $venv/bin/moto_server"
