#!/bin/sh
# Deploys the checked-out version of OC Pizza with no failed request
# (docs/operations.md § 4 and § 6). From the project folder, .env filled in:
#
#   docker/deploy.sh            build, migrate, replace web, then the scheduler and nginx
#   docker/deploy.sh --pull     the same after pulling newer base images (security updates)
#
# 1. The image is built while the running version keeps serving.
# 2. Migrations run alone, with the new image; if they fail, the deploy stops
#    here and the running version keeps serving (exit status 1).
# 3. New web containers start beside the old ones; once they are healthy, the
#    old ones stop gracefully (gunicorn finishes their requests). nginx finds
#    containers through Docker's DNS, so it follows without a restart.
# 4. The scheduler is recreated, nginx only if its own settings changed.
set -eu
cd "$(dirname "$0")/.."
HEALTH_TIMEOUT="${DEPLOY_HEALTH_TIMEOUT:-300}"

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { log "$*"; exit 1; }

health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"; }

wait_healthy() {  # container ids...
    deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
    for id in "$@"; do
        while [ "$(health "$id")" != healthy ]; do
            [ "$(date +%s)" -lt "$deadline" ] || return 1
            case "$(health "$id")" in unhealthy|exited|dead) return 1 ;; esac
            sleep 2
        done
    done
}

if [ "${1:-}" = "--pull" ]; then
    log "pulling base images"
    docker compose pull --ignore-buildable --quiet
    build_options="--pull"
fi

log "building the image (the running version keeps serving)"
docker compose build ${build_options:-} web

old_web="$(docker compose ps -q web)"
if [ -z "$old_web" ]; then
    log "first start: migrations, then every service"
    docker compose up -d --wait --wait-timeout "$HEALTH_TIMEOUT" || fail "the stack did not become healthy: docker compose ps; docker compose logs"
    log "done"
    exit 0
fi

# The image the running version was started from: a failed deploy puts its tag
# back, so that a later restart (or `docker compose up`) never starts the broken build.
serving_image="$(docker inspect -f '{{.Image}}' $(echo "$old_web" | head -n 1))"
serving_tag="$(docker inspect -f '{{.Config.Image}}' $(echo "$old_web" | head -n 1))"
keep_serving_image() { docker tag "$serving_image" "$serving_tag"; }

log "migrations"
docker compose run --rm --no-deps migrate \
    || { keep_serving_image; fail "migrations failed: nothing was changed, the running version keeps serving"; }

count="$(echo "$old_web" | wc -l)"
log "starting $count new web container(s) beside the running one(s)"
docker compose up -d --no-deps --no-recreate --scale "web=$((count * 2))" web
new_web="$(docker compose ps -q web | grep -v -F "$old_web" || true)"
[ -n "$new_web" ] || fail "no new web container was started"
if ! wait_healthy $new_web; then
    log "the new version is not healthy: removing it, the running version keeps serving"
    docker compose logs --no-log-prefix --tail 50 web >&2 || true
    docker rm -f $new_web >/dev/null
    keep_serving_image
    exit 1
fi

log "stopping the previous web container(s) gracefully"
for id in $old_web; do
    docker stop -t 30 "$id" >/dev/null
    docker rm "$id" >/dev/null
done

log "scheduler and nginx"
docker compose up -d --no-deps scheduler nginx
log "done"
