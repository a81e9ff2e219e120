#!/bin/sh
# Dumps one PostgreSQL database into $BACKUP_DIR as a custom-format archive (compressed,
# restorable table by table with pg_restore) and records its SHA-256 beside it.
# Connection: the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (PGSSLMODE).
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is required}" "${PGDATABASE:?PGDATABASE is required}"

archive="$BACKUP_DIR/$PGDATABASE.dump"
# Written under a temporary name first: a dump cut short never looks like a finished one.
pg_dump --format=custom --compress=6 --file="$archive.partial"
# Reading the table of contents back proves the archive is complete and parseable.
pg_restore --list "$archive.partial" >/dev/null
mv "$archive.partial" "$archive"
(cd "$BACKUP_DIR" && sha256sum "$(basename "$archive")" >"$(basename "$archive").sha256")
echo "dump: $archive ($(wc -c <"$archive") bytes)"
