#!/bin/sh
# Backs up PostgreSQL, the media, .env and the TLS certificates into a restic
# repository off the server (encrypted, deduplicated), applies the retention,
# checks the repository, and records the time of success for the backup-age
# alert. Documentation: docs/operations-managed.md.
#
# Destination: RESTIC_REPOSITORY (s3:https://host/bucket/path or
#   sftp:user@host:/path), RESTIC_PASSWORD or RESTIC_PASSWORD_FILE, and for S3
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (AWS_DEFAULT_REGION if needed).
# Database: the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
#   PGSSLMODE...).
# What else: MEDIA_DIR, ENV_FILE, CERTS_DIR (each skipped when absent).
# Scratch space for the dump: BACKUP_DIR. Metric: BACKUP_METRICS_DIR.
# Retention: BACKUP_KEEP_LAST (7, so that the backups taken before an update on
#   the same day are kept), BACKUP_KEEP_DAILY (14), BACKUP_KEEP_WEEKLY (8), BACKUP_KEEP_MONTHLY (12).
# Integrity: BACKUP_CHECK_READ_DATA (share of the data re-read and verified at
#   each run, default 5%: the whole repository is read about every 20 runs).
set -eu
: "${RESTIC_REPOSITORY:?set RESTIC_REPOSITORY (s3:... or sftp:...)}"
work="${BACKUP_DIR:-/backups}"
media="${MEDIA_DIR:-/app/var/media}"
env_file="${ENV_FILE:-/config/.env}"
certs="${CERTS_DIR:-/config/certs}"
metrics="${BACKUP_METRICS_DIR:-}"
started="$(date +%s)"

log() { echo "{\"level\":\"$1\",\"logger\":\"backup\",\"message\":\"$2\"}"; }

# The repository is created on first use (restic refuses to init twice).
if ! restic cat config >/dev/null 2>&1; then
    restic init >/dev/null
    log INFO "restic repository created"
fi

# The dump is written uncompressed: restic compresses and deduplicates it
# against the previous nights (a compressed dump would change entirely each day).
dump_dir="$work/database"
mkdir -p "$dump_dir"
pg_dump --format=custom --compress=0 --no-owner --no-privileges --file "$dump_dir/ocpizza.dump.part"
mv "$dump_dir/ocpizza.dump.part" "$dump_dir/ocpizza.dump"

set -- "$dump_dir"
[ -d "$media" ] && set -- "$@" "$media"
[ -f "$env_file" ] && set -- "$@" "$env_file"
[ -d "$certs" ] && set -- "$@" "$certs"
# A fixed host name: `docker compose run` gives each run a new one, which
# would make every snapshot its own group for the retention.
restic backup --quiet --host "${BACKUP_HOST:-ocpizza}" --tag ocpizza --exclude "$media/.restore-*" "$@"
rm -f "$dump_dir/ocpizza.dump"

restic forget --quiet --tag ocpizza --group-by host,tags --prune \
    --keep-last "${BACKUP_KEEP_LAST:-7}" --keep-daily "${BACKUP_KEEP_DAILY:-14}" --keep-weekly "${BACKUP_KEEP_WEEKLY:-8}" --keep-monthly "${BACKUP_KEEP_MONTHLY:-12}"
restic check --quiet --read-data-subset="${BACKUP_CHECK_READ_DATA:-5%}"

# Prometheus textfile collector format, written then renamed: node-exporter
# never reads half a file.
if [ -n "$metrics" ]; then
    mkdir -p "$metrics"
    finished="$(date +%s)"
    {
        echo "# HELP ocpizza_backup_last_success_timestamp_seconds Time of the last backup that reached the repository and passed restic check."
        echo "# TYPE ocpizza_backup_last_success_timestamp_seconds gauge"
        echo "ocpizza_backup_last_success_timestamp_seconds $finished"
        echo "# HELP ocpizza_backup_last_duration_seconds Duration of the last successful backup (dump, upload, prune, check)."
        echo "# TYPE ocpizza_backup_last_duration_seconds gauge"
        echo "ocpizza_backup_last_duration_seconds $((finished - started))"
    } > "$metrics/ocpizza_backup.prom.$$"
    mv "$metrics/ocpizza_backup.prom.$$" "$metrics/ocpizza_backup.prom"
fi
log INFO "backup done in $(( $(date +%s) - started )) s"
