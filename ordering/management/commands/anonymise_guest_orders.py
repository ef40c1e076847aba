"""Blanks the personal data of guests' orders older than GUEST_DATA_RETENTION_DAYS (ordering.privacy).
Run daily by the scheduler (docker/scheduler.sh); safe to run twice at once."""

from django.core.management.base import BaseCommand

from ordering.privacy import anonymise_guest_orders


class Command(BaseCommand):
    help = "Anonymise guests' orders past the retention period (GUEST_DATA_RETENTION_DAYS)."

    def handle(self, *args, **options):
        done = anonymise_guest_orders()
        self.stdout.write(f"{done} guest order(s) anonymised")
