#!/bin/sh
# Dumps one PostgreSQL database into $BACKUP_DIR as a custom-format archive (compressed,
# restorable table by table with pg_restore), records its SHA-256 beside it, and writes the
# manifest: every table's row count and checksum (manifest.sql) as the archive holds them, which
# the restore drill (drill.sh) compares a restored copy with.
# Connection: the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (PGSSLMODE).
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is required}" "${PGDATABASE:?PGDATABASE is required}"
here=$(cd "$(dirname "$0")" && pwd)

# A new pod's NetworkPolicy is programmed asynchronously (its first connection can be refused for
# a moment; measured on the real node: one 0.5 s retry), and the database may be restarting: wait
# up to DB_WAIT_SECONDS (default 30) for it to accept connections before dumping.
waited=0
until pg_isready -q -t 2 >/dev/null 2>&1; do
  waited=$((waited + 1))
  [ "$waited" -lt "${DB_WAIT_SECONDS:-30}" ] || { echo "dump: the database did not accept connections within ${DB_WAIT_SECONDS:-30} s" >&2; exit 1; }
  sleep 1
done

archive="$BACKUP_DIR/$PGDATABASE.dump"
manifest="$archive.manifest"
# pg_dump reads the snapshot this transaction exports, and the manifest is counted in the same
# transaction: both see exactly the same rows however busy the database is. The files are written
# under temporary names first: a dump cut short never looks like a finished one.
export DUMP_FILE="$archive.partial"
psql -X -q -v ON_ERROR_STOP=1 -v manifest="$manifest.partial" -v manifest_sql="$here/manifest.sql" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT pg_export_snapshot() AS snapshot \gset
\setenv DUMP_SNAPSHOT :snapshot
\! pg_dump --snapshot="$DUMP_SNAPSHOT" --format=custom --compress=6 --file="$DUMP_FILE" || rm -f "$DUMP_FILE"
\o :manifest
\i :manifest_sql
\o
COMMIT;
SQL
[ -f "$archive.partial" ] || { echo "dump: pg_dump failed" >&2; exit 1; }
# Reading the table of contents back proves the archive is complete and parseable.
pg_restore --list "$archive.partial" >/dev/null
mv "$manifest.partial" "$manifest"
mv "$archive.partial" "$archive"
(cd "$BACKUP_DIR" && sha256sum "$(basename "$archive")" >"$(basename "$archive").sha256")
echo "dump: $archive ($(wc -c <"$archive") bytes, $(wc -l <"$manifest") tables in the manifest)"
