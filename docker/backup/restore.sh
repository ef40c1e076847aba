#!/bin/sh
# Restores a backup made by backup.sh: restore.sh latest | restore.sh SNAPSHOT_ID
# (`restic snapshots` lists them). Same variables as backup.sh, same paths.
# Stop the web and scheduler services first (docs/operations-managed.md).
#
# Nothing is touched before the whole snapshot is downloaded and verified:
#  1. restic restores it into a folder beside the media (same file system) and
#     re-reads every file against the repository (--verify);
#  2. the database is emptied and restored in ONE transaction: its schema is
#     dropped and re-created, so tables or keys added by a newer version are
#     gone, and any error rolls everything back to the database as it was;
#  3. only then the media are swapped by renames (the old files are moved
#     aside, the restored ones moved in, the old ones deleted);
#  4. .env and the certificates are put in $BACKUP_DIR/restored-config/ for
#     the operator to compare and copy: they are never overwritten here.
set -eu
: "${RESTIC_REPOSITORY:?set RESTIC_REPOSITORY}"
: "${PGDATABASE:?set PGDATABASE}"
which="${1:?usage: restore.sh latest|SNAPSHOT_ID}"
work="${BACKUP_DIR:-/backups}"
media="${MEDIA_DIR:-/app/var/media}"
env_file="${ENV_FILE:-/config/.env}"
certs="${CERTS_DIR:-/config/certs}"

log() { echo "{\"level\":\"$1\",\"logger\":\"backup\",\"message\":\"$2\"}"; }

mkdir -p "$media"
staging="$media/.restore-$$"
aside="$media/.restore-old-$$"
trap 'rm -rf "$staging" "$aside"' EXIT
mkdir "$staging"

# 1. Download and verify; an unreadable or tampered pack fails here.
restic restore "$which" --tag ocpizza --target "$staging" --verify >/dev/null
dump="$staging$work/database/ocpizza.dump"
[ -f "$dump" ] || { log ERROR "no database dump in snapshot $which"; exit 1; }
pg_restore --list "$dump" >/dev/null

# 2. The database, all or nothing. The SQL is written to a file first: a
# failure of pg_restore half-way can never reach psql as a shorter script.
sql="$staging/restore.sql"
{
    echo "DROP SCHEMA IF EXISTS public CASCADE;"
    echo "CREATE SCHEMA public;"
    pg_restore --no-owner --no-privileges --file=- "$dump"
} > "$sql"
psql --no-psqlrc --quiet --single-transaction -v ON_ERROR_STOP=1 --dbname "$PGDATABASE" --file "$sql" >/dev/null
log INFO "database restored from $which"

# 3. The media, swapped only now that the database is back.
if [ -d "$staging$media" ]; then
    mkdir "$aside"
    find "$media" -mindepth 1 -maxdepth 1 ! -name '.restore-*' -exec mv -t "$aside" {} +
    find "$staging$media" -mindepth 1 -maxdepth 1 -exec mv -t "$media" {} +
    log INFO "media restored from $which"
fi

# 4. Configuration, for the operator.
config="$work/restored-config"
rm -rf "$config"
mkdir -p "$config"
[ -f "$staging$env_file" ] && cp -p "$staging$env_file" "$config/.env"
[ -d "$staging$certs" ] && cp -rp "$staging$certs" "$config/certs"
log INFO "restored $which (.env and certificates in $config)"
