from django.core.management.base import BaseCommand

from ordering.notifications import send_pending


class Command(BaseCommand):
    help = "Retries customer emails about order status changes that could not be sent (run every minute)."

    def handle(self, *args, **options):
        sent, failed = send_pending()
        self.stdout.write(f"sent: {sent}, still failing: {failed}")
