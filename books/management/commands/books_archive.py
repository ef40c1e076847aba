"""Writes the signed archive of a restaurant's journal and closures (for the tax authority)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from books import exports
from home.models import RestaurantPage


class Command(BaseCommand):
    help = "Writes the signed archive (zip: journal, closures, manifest and its HMAC signature) of a period."

    def add_arguments(self, parser):
        parser.add_argument("restaurant", type=int, help="restaurant id")
        parser.add_argument("start", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("end", type=date.fromisoformat, help="last day, YYYY-MM-DD")
        parser.add_argument("--output-dir", default=".", help="where to write the zip")

    def handle(self, *args, restaurant, start, end, output_dir, **options):
        page = RestaurantPage.objects.filter(pk=restaurant).first()
        if page is None:
            raise CommandError(f"no restaurant {restaurant}")
        filename, data = exports.build_archive(page, start, end)
        path = Path(output_dir) / filename
        path.write_bytes(data)
        self.stdout.write(f"{path} ({len(data)} bytes)")
