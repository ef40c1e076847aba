#!/bin/sh
# Every container of the image starts here. The web service copies the static
# files of this image to the volume nginx serves, then runs its command.
set -eu
if [ "${1:-}" = "gunicorn" ] && [ -d /app/static-build ]; then
    cp -a /app/static-build/. "${STATIC_ROOT}/"
fi
exec "$@"
