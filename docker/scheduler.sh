#!/bin/sh
# The periodic jobs, every minute: Wagtail's scheduled publishing, retries of
# customer notifications, PayPal housekeeping (unpaid orders released, refunds retried).
set -u
while true; do
    python manage.py publish_scheduled || echo '{"level":"ERROR","logger":"scheduler","message":"publish_scheduled failed"}'
    python manage.py send_notifications || echo '{"level":"ERROR","logger":"scheduler","message":"send_notifications failed"}'
    python manage.py paypal_housekeeping || echo '{"level":"ERROR","logger":"scheduler","message":"paypal_housekeeping failed"}'
    sleep "${SCHEDULER_INTERVAL:-60}"
done
