#!/bin/sh
# certbot --deploy-hook: run by certbot (Debian's certbot.timer, twice a day) after
# a certificate was renewed. Copies it where nginx reads it and reloads nginx,
# which keeps serving during the reload. Saved in the renewal configuration by
# the first `certbot certonly --webroot ... --deploy-hook` (docs/operations.md § 3),
# so there is no cron job of ours to collide with the timer.
set -eu
: "${RENEWED_LINEAGE:?run by certbot, which sets RENEWED_LINEAGE}"
cd "${OCPIZZA_DIR:-$(dirname "$0")/..}"
certs="$(sed -n 's/^TLS_CERTS_DIR=//p' .env | tail -n 1)"
certs="${certs:-./certs}"
install -m 0644 "$RENEWED_LINEAGE/fullchain.pem" "$certs/fullchain.pem.new"
install -m 0600 "$RENEWED_LINEAGE/privkey.pem" "$certs/privkey.pem.new"
mv "$certs/fullchain.pem.new" "$certs/fullchain.pem"
mv "$certs/privkey.pem.new" "$certs/privkey.pem"
docker compose exec -T nginx nginx -s reload
