"""Verifies the sales journal's chains (every restaurant, or one) and reports the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from books import journal
from books.models import JournalEntry


class Command(BaseCommand):
    help = "Verifies the hash chain of the sales journal; exits with an error at the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--restaurant", type=int, help="id of one restaurant (default: all)")

    def handle(self, *args, restaurant=None, **options):
        breaks = journal.verify(None if restaurant is None else {restaurant})
        entries = JournalEntry.objects.count()
        if breaks:
            for broken in breaks:
                self.stderr.write(f"BROKEN: {broken}")
            raise CommandError(f"sales journal broken: {breaks[0]}")
        self.stdout.write(f"sales journal intact ({entries} entries)")
