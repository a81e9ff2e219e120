#!/bin/sh
# Starts PostgreSQL the way the database chart expects of the official image: on an empty
# $PGDATA it runs initdb with $POSTGRES_USER as the superuser and $POSTGRES_PASSWORD, and
# creates $POSTGRES_DB; then the server runs in the foreground, listening on every address
# (the NetworkPolicies decide who may connect) with password logins over TCP only. Locale C with
# UTF-8 encoding: Debian ships C.UTF-8 in libc-bin, which the image leaves out.
set -eu
: "${PGDATA:?PGDATA is required}" "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required (the chart takes it from its Secret)}"
user=${POSTGRES_USER:-postgres}
database=${POSTGRES_DB:-$user}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  # The password goes through a file on the emptyDir /tmp, never the command line.
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # initdb's pg_hba.conf admits loopback only; pods connect over the pod network.
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    # Single-user mode needs no socket or password; the name goes into SQL, so it must be plain.
    case "$database" in
      *[!A-Za-z0-9_]* | [0-9]*) echo "postgres-entrypoint: POSTGRES_DB '$database' must be letters, digits and _" >&2; exit 2 ;;
    esac
    echo "CREATE DATABASE $database" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo "postgres-entrypoint: initialised $PGDATA (superuser $user, database $database)"
fi
# JIT is off: its LLVM libraries are left out of the image.
exec postgres -D "$PGDATA" -c listen_addresses='*' -c jit=off "$@"
