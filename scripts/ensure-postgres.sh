#!/usr/bin/env bash
# Makes sure `make test-postgres` has its PostgreSQL: installs the server through apt when
# none is installed, starts the local cluster if it is not accepting connections, lets
# the role postgres in without a password on 127.0.0.1 (trust), and creates the database
# `test`. Each step runs only when its check fails, so a working server is left alone.
#
# ATRIUM_DRY_RUN=1 prints the commands that would change the machine instead of running
# them. ATRIUM_PG_LIB and ATRIUM_PG_ETC (default /usr/lib/postgresql, /etc/postgresql)
# are where Debian puts the server binaries and the clusters' settings.
set -euo pipefail
PG_LIB="${ATRIUM_PG_LIB:-/usr/lib/postgresql}"
PG_ETC="${ATRIUM_PG_ETC:-/etc/postgresql}"
DRY_RUN="${ATRIUM_DRY_RUN:-}"
HBA_LINE="host all postgres 127.0.0.1/32 trust"

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
  AS_POSTGRES=(runuser -u postgres --)
else
  SUDO=(sudo)
  AS_POSTGRES=(sudo -u postgres)
fi

run() {
  if [ -n "$DRY_RUN" ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

ready() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
connects() { psql -h 127.0.0.1 -p 5432 -U postgres -w -d "$1" -tAc "select 1" >/dev/null 2>&1; }
# The newest cluster version under /etc/postgresql (Debian creates "main" at install).
version() { ls "$PG_ETC" 2>/dev/null | sort -V | tail -n1; }

if ! compgen -G "$PG_LIB/*/bin/postgres" >/dev/null; then
  echo "Installing PostgreSQL (the package postgresql) through apt"
  run "${SUDO[@]}" apt-get update -qq
  run "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
VERSION="$(version)"
VERSION="${VERSION:-<version>}"

if ! ready; then
  echo "Starting PostgreSQL $VERSION"
  run "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start
  if [ -z "$DRY_RUN" ]; then
    for _ in $(seq 1 30); do
      ready && break
      sleep 1
    done
    ready || { echo "PostgreSQL did not start" >&2; exit 1; }
  fi
fi

if ! connects postgres; then
  echo "Letting the role postgres in on 127.0.0.1 without a password (trust, for tests)"
  HBA="$PG_ETC/$VERSION/main/pg_hba.conf"
  run "${SUDO[@]}" sed -i "1i $HBA_LINE" "$HBA"
  run "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
  [ -n "$DRY_RUN" ] || sleep 1
fi

if ! connects test; then
  echo "Creating the database test"
  run "${AS_POSTGRES[@]}" createdb test
fi
