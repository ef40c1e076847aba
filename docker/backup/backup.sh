#!/bin/sh
# Dumps PostgreSQL (custom format, compressed) and archives the media, with a
# UTC timestamp, then deletes backups older than BACKUP_KEEP_DAYS.
# Connection: the PG* variables (PGHOST, PGUSER, PGPASSWORD, PGDATABASE).
set -eu
dir="${BACKUP_DIR:-/backups}"
media="${MEDIA_DIR:-/app/var/media}"
keep="${BACKUP_KEEP_DAYS:-14}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$dir"

# Written under a temporary name and renamed: a half-written file is never taken for a backup.
pg_dump --format=custom --compress=9 --no-owner --no-privileges --file "$dir/db-$stamp.dump.part"
mv "$dir/db-$stamp.dump.part" "$dir/db-$stamp.dump"
tar -C "$media" -czf "$dir/media-$stamp.tar.gz.part" .
mv "$dir/media-$stamp.tar.gz.part" "$dir/media-$stamp.tar.gz"

find "$dir" -maxdepth 1 \( -name 'db-*.dump' -o -name 'media-*.tar.gz' \) -mtime +"$keep" -delete
find "$dir" -maxdepth 1 -name '*.part' -mmin +60 -delete
echo "{\"level\":\"INFO\",\"logger\":\"backup\",\"message\":\"backup $stamp done\",\"database\":\"$dir/db-$stamp.dump\",\"media\":\"$dir/media-$stamp.tar.gz\",\"database_bytes\":$(wc -c < "$dir/db-$stamp.dump")}"
