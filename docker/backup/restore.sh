#!/bin/sh
# Restores a backup made by backup.sh: restore.sh latest | restore.sh 20261125-030000
# Replaces the database's content and the media. Stop the web and scheduler
# services first (docs/operations.md, "Restoring").
set -eu
dir="${BACKUP_DIR:-/backups}"
media="${MEDIA_DIR:-/app/var/media}"
which="${1:?usage: restore.sh latest|TIMESTAMP}"
if [ "$which" = "latest" ]; then
    which="$(ls -1 "$dir"/db-*.dump 2>/dev/null | sort | tail -n 1 | sed 's/.*db-\(.*\)\.dump/\1/')"
    [ -n "$which" ] || { echo "no backup in $dir" >&2; exit 1; }
fi
db="$dir/db-$which.dump"
archive="$dir/media-$which.tar.gz"
[ -f "$db" ] || { echo "missing $db" >&2; exit 1; }

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --dbname "${PGDATABASE:?}" "$db"
if [ -f "$archive" ]; then
    find "$media" -mindepth 1 -delete
    tar -C "$media" -xzf "$archive"
fi
echo "{\"level\":\"INFO\",\"logger\":\"backup\",\"message\":\"restored $which\"}"
