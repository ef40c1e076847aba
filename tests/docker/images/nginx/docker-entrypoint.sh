#!/bin/sh
# Like the official image's 20-envsubst-on-templates.sh: every
# /etc/nginx/templates/*.template becomes /etc/nginx/conf.d/* with only the
# variables defined in the environment substituted (nginx's own $host etc. stay).
set -eu
if [ "${1:-}" = nginx ]; then
  defined_envs="$(printf '${%s} ' $(awk 'END { for (name in ENVIRON) print name }' </dev/null))"
  for template in /etc/nginx/templates/*.template; do
    [ -f "$template" ] || continue
    envsubst "$defined_envs" <"$template" >"/etc/nginx/conf.d/$(basename "$template" .template)"
  done
fi
exec "$@"
