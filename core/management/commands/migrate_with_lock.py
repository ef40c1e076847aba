from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

LOCK_ID = 7_340_001  # any constant: the key of the "migrations running" advisory lock


class Command(BaseCommand):
    help = "Applies migrations under a PostgreSQL advisory lock, so that several containers starting at once migrate one after the other."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            return call_command("migrate", interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
            try:
                call_command("migrate", interactive=False)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
