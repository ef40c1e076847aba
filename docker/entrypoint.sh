#!/bin/sh
# Every container of the image starts here. The web service copies the static
# files of this image to the volume nginx serves, then runs its command.
set -eu
if [ "${1:-}" = "gunicorn" ] && [ -d /app/static-build ]; then
    cp -a /app/static-build/. "${STATIC_ROOT}/"
fi
# Swarm (stack.yml) has no one-shot service: each new web task applies the
# migrations first (under a PostgreSQL advisory lock). If they fail, the task
# never becomes healthy and the rolling update rolls back.
if [ "${1:-}" = "gunicorn" ] && [ "${MIGRATE_ON_START:-}" = "1" ]; then
    python manage.py migrate_with_lock
fi
exec "$@"
