#!/bin/sh
# The official image is built with protected mode off (the container's network is the boundary).
set -eu
if [ "${1:-}" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
