#!/usr/bin/env bash
# Back up Atrium: the PostgreSQL database (pg_dump, custom format) and the private files
# (badge runs, photos, letters, proofs: MEDIA_ROOT/private, as a tar). docs/deploy.md.
#
#   DATABASE_URL=postgres://user@host:5432/atrium scripts/backup.sh [FOLDER]
#
# Writes FOLDER/atrium-<UTC time>/ (FOLDER defaults to ./backups) with database.dump,
# private.tar.gz and SHA256SUMS, and prints that path last. ATRIUM_MEDIA_ROOT is the media
# folder (default: media/ beside manage.py, as in the settings). With a storage other than
# the file system (ATRIUM_FILE_STORAGE, e.g. S3) back its bucket up by its own means.
# Keep backups off this machine; they hold personal data (encrypted passport data too).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh backs up PostgreSQL only (DATABASE_URL is not postgres://)" >&2; exit 2 ;;
esac
MEDIA="${ATRIUM_MEDIA_ROOT:-$ROOT/media}"
DEST_ROOT="${1:-$ROOT/backups}"
DEST="$DEST_ROOT/atrium-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$DEST"
chmod 700 "$DEST"

pg_dump --format=custom --no-owner --no-privileges --file "$DEST/database.dump" "$DATABASE_URL"
if [ -d "$MEDIA/private" ]; then
  tar -czf "$DEST/private.tar.gz" -C "$MEDIA" private
else
  tar -czf "$DEST/private.tar.gz" --files-from /dev/null
fi
(cd "$DEST" && sha256sum database.dump private.tar.gz >SHA256SUMS)
echo "$DEST"
