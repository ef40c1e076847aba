#!/bin/sh
# The periodic jobs, every minute: Wagtail's scheduled publishing, retries of
# customer notifications, PayPal housekeeping (unpaid orders released, refunds retried).
# Each round touches $SCHEDULER_HEARTBEAT, which the container's healthcheck reads.
# SIGTERM/SIGINT: the job in progress finishes, then the loop ends (docker stop is prompt:
# the wait between rounds is interrupted at once).
set -u
heartbeat="${SCHEDULER_HEARTBEAT:-/tmp/scheduler.heartbeat}"
stopping=""
trap 'stopping=1; [ -n "${sleeper:-}" ] && kill "$sleeper" 2>/dev/null' TERM INT
run() {
    [ -z "$stopping" ] || exit 0
    python manage.py "$1" || echo "{\"level\":\"ERROR\",\"logger\":\"scheduler\",\"message\":\"$1 failed\"}"
}
while [ -z "$stopping" ]; do
    run publish_scheduled
    run send_notifications
    run paypal_housekeeping
    touch "$heartbeat"
    [ -z "$stopping" ] || break
    sleep "${SCHEDULER_INTERVAL:-60}" & sleeper=$!
    wait "$sleeper" 2>/dev/null
    sleeper=""
done
