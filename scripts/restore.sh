#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a fresh, empty PostgreSQL database and the
# media folder. docs/deploy.md.
#
#   DATABASE_URL=postgres://user@host:5432/atrium_new scripts/restore.sh BACKUP_FOLDER
#
# The database must exist and hold no table (createdb it first): restore.sh never writes
# over data. The private files are unpacked into ATRIUM_MEDIA_ROOT (default media/), which
# must not hold a private/ folder yet. The checksums are verified first. Then run
# `manage.py migrate` (a no-op for a backup of the same version) and start the servers.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
: "${DATABASE_URL:?set DATABASE_URL to the fresh PostgreSQL database to restore into}"
SOURCE="${1:?give the backup folder (with database.dump and private.tar.gz)}"
MEDIA="${ATRIUM_MEDIA_ROOT:-$ROOT/media}"

(cd "$SOURCE" && sha256sum --check --quiet SHA256SUMS)
tables="$(psql "$DATABASE_URL" -tAc "select count(*) from pg_tables where schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "the database already holds $tables tables: restore into a fresh one" >&2
  exit 1
fi
if [ -e "$MEDIA/private" ]; then
  echo "$MEDIA/private exists already: restore into an empty media folder" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" \
  "$SOURCE/database.dump"
mkdir -p "$MEDIA"
tar -xzf "$SOURCE/private.tar.gz" -C "$MEDIA"
echo "restored $SOURCE into the database and $MEDIA"
