#!/bin/sh
# Uploads every file in $BACKUP_DIR to s3://$S3_BUCKET/$S3_PREFIX/<UTC timestamp>/ on any
# S3-compatible endpoint ($S3_ENDPOINT; empty means AWS itself). Each file's SHA-256 is checked
# (or created) before anything leaves the pod, and the checksum files go last: a backup folder
# holding a .sha256 for every file is complete.
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is required}" "${S3_BUCKET:?S3_BUCKET is required}" "${S3_PREFIX:?S3_PREFIX is required}"

if [ -n "${S3_ENDPOINT:-}" ]; then set -- --endpoint-url "$S3_ENDPOINT"; else set --; fi
destination="s3://$S3_BUCKET/$S3_PREFIX/$(date -u +%Y%m%dT%H%M%SZ)"
cd "$BACKUP_DIR"

found=0
for file in *; do
  case "$file" in *.sha256 | "*") continue ;; esac
  found=1
  if [ -f "$file.sha256" ]; then
    sha256sum -c "$file.sha256" >/dev/null || { echo "upload: $file does not match $file.sha256" >&2; exit 1; }
  else
    sha256sum "$file" >"$file.sha256"
  fi
done
[ "$found" = 1 ] || { echo "upload: nothing to upload in $BACKUP_DIR" >&2; exit 1; }

# Two calls, the data then the checksums: each AWS CLI start costs seconds on a busy node.
aws "$@" s3 cp --recursive --only-show-errors --exclude "*.sha256" . "$destination/"
aws "$@" s3 cp --recursive --only-show-errors --exclude "*" --include "*.sha256" . "$destination/"
echo "upload: $destination"
