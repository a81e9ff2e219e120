#!/bin/sh
# Restores a backup written by dump.sh + upload.sh into an existing, empty database.
# Usage: restore.sh [BACKUP]   BACKUP is a timestamp folder under s3://$S3_BUCKET/$S3_PREFIX/
# (e.g. 20261126T021700Z); without it the newest complete backup is taken.
# Target: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE); source: S3_*.
# Needs aws, pg_restore and sha256sum on PATH (an operator workstation or a debug pod).
set -eu
: "${S3_BUCKET:?S3_BUCKET is required}" "${S3_PREFIX:?S3_PREFIX is required}" "${PGDATABASE:?PGDATABASE is required}"
backup=${1:-}
source_db=${SOURCE_DATABASE:-$PGDATABASE}

if [ -n "${S3_ENDPOINT:-}" ]; then set -- --endpoint-url "$S3_ENDPOINT"; else set --; fi
if [ -z "$backup" ]; then
  # Timestamped folders sort by time; only those holding the checksum are complete.
  backup=$(aws "$@" s3 ls --recursive "s3://$S3_BUCKET/$S3_PREFIX/" \
    | awk -v want="/$source_db.dump.sha256" 'substr($4, length($4) - length(want) + 1) == want {print $4}' \
    | sort | tail -n 1 | awk -F/ '{print $(NF - 1)}')
  [ -n "$backup" ] || { echo "restore: no complete backup under s3://$S3_BUCKET/$S3_PREFIX/" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in "$source_db.dump" "$source_db.dump.sha256"; do
  aws "$@" s3 cp --only-show-errors "s3://$S3_BUCKET/$S3_PREFIX/$backup/$file" "$work/$file"
done
(cd "$work" && sha256sum -c "$source_db.dump.sha256" >/dev/null) \
  || { echo "restore: $backup/$source_db.dump does not match its checksum" >&2; exit 1; }

# One transaction: a failed restore leaves the target empty rather than half-filled. Owners and
# grants are those of the target's connecting role, so a restore into another server works.
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$PGDATABASE" "$work/$source_db.dump"
echo "restore: $backup/$source_db.dump -> $PGDATABASE"
