#!/bin/sh
# Deploys or updates the swarm stack (stack.yml) from a manager node, with the
# settings of .env and the secrets of $SECRETS_DIR (docs/operations.md § 13):
#
#   WEB_IMAGE=registry.example/ocpizza-web:1.4.2 docker/swarm-deploy.sh [extra -c files]
#
# Waits until every service has converged: a rolling update of web starts each
# new task before stopping an old one, and rolls back by itself if the new
# version fails its healthcheck (then this script fails).
set -eu
cd "$(dirname "$0")/.."
STACK="${STACK_NAME:-ocpizza}"
# .env values may hold spaces (SERVER_NAME): read it line by line, not with `.`
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in [A-Za-z_]*=*) ;; *) continue ;; esac
    name="${line%%=*}"
    case "$name" in *[!A-Za-z0-9_]*) continue ;; esac
    eval "[ -n \"\${$name+set}\" ]" || export "$name=${line#*=}"  # the caller's environment wins
done < "${ENV_FILE:-.env}"
: "${WEB_IMAGE:?set WEB_IMAGE to the image pushed to the registry, e.g. registry.digitalocean.com/ocpizza/web:1.4.2}"
set -- -c stack.yml $(for file in "$@"; do printf ' -c %s' "$file"; done)
# --resolve-image always (default): every node runs the very same image digest.
docker stack deploy --detach=false --with-registry-auth --prune --resolve-image "${RESOLVE_IMAGE:-always}" "$@" "$STACK"
state="$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "${STACK}_web")"
case "$state" in
    rollback_*) echo "swarm-deploy: the new version failed its healthcheck and was rolled back ($state)" >&2; exit 1 ;;
esac
echo "swarm-deploy: ${STACK} is up to date (${state:-created})"
