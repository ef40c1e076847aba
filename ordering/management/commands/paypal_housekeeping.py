from django.conf import settings
from django.core.management.base import BaseCommand

from ordering.paypal.payments import release_unpaid_orders, retry_refunds


class Command(BaseCommand):
    help = (
        "Run every minute or so (cron/timer): settles or releases orders awaiting a PayPal payment for "
        "longer than PAYPAL_PAYMENT_TIMEOUT_MINUTES (stock returned), and retries refunds PayPal refused to take."
    )

    def handle(self, *args, **options):
        if settings.PAYPAL_MODE == "off":
            return
        paid, released = release_unpaid_orders()
        refunded = retry_refunds()
        self.stdout.write(f"paid after all: {paid}, released: {released}, refunds completed: {refunded}")
