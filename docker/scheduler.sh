#!/bin/sh
# The periodic jobs, every minute: Wagtail's scheduled publishing, retries of
# customer notifications, PayPal housekeeping (unpaid orders released, refunds retried);
# once a day (the first round of each UTC day, remembered per job in $SCHEDULER_DAILY_STAMP.<job>):
# guests' personal data past their retention period anonymised, the sales journal's chains
# verified (a broken link is logged as an ERROR once that day, not re-checked every minute).
# Each round touches $SCHEDULER_HEARTBEAT, which the container's healthcheck reads.
# SIGTERM/SIGINT: the job in progress finishes, then the loop ends (docker stop is prompt:
# the wait between rounds is interrupted at once).
set -u
heartbeat="${SCHEDULER_HEARTBEAT:-/tmp/scheduler.heartbeat}"
daily_stamp="${SCHEDULER_DAILY_STAMP:-/tmp/scheduler.daily}"
stopping=""
trap 'stopping=1; [ -n "${sleeper:-}" ] && kill "$sleeper" 2>/dev/null' TERM INT
run() {
    [ -z "$stopping" ] || exit 0
    python manage.py "$1" || echo "{\"level\":\"ERROR\",\"logger\":\"scheduler\",\"message\":\"$1 failed\"}"
}
daily() {
    today="$(date -u +%F)" stamp="$daily_stamp.$1"
    [ "$(cat "$stamp" 2>/dev/null)" = "$today" ] && return 0
    [ -z "$stopping" ] || exit 0
    # Stamped when it succeeded; a failure is retried next round, unless the job is a check
    # ("once": its failure is a finding, reported once, not a hiccup).
    if python manage.py "$1"; then
        echo "$today" > "$stamp"
    else
        echo "{\"level\":\"ERROR\",\"logger\":\"scheduler\",\"message\":\"$1 failed\"}"
        [ "${2:-}" = once ] && echo "$today" > "$stamp"
    fi
}
while [ -z "$stopping" ]; do
    run publish_scheduled
    run send_notifications
    run paypal_housekeeping
    daily anonymise_guest_orders
    daily books_verify once
    touch "$heartbeat"
    [ -z "$stopping" ] || break
    sleep "${SCHEDULER_INTERVAL:-60}" & sleeper=$!
    wait "$sleeper" 2>/dev/null
    sleeper=""
done
