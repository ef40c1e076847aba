import os

from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.demo.content import load_accounts, load_catalogue, load_pages
from devtools.demo.kitchen import load_staff, load_stock
from devtools.demo.options import load_options


class Command(BaseCommand):
    help = "Creates the demo restaurants, menu, accounts, kitchen stock and staff. Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        # Only settings.dev installs this command: production settings do not have it
        # (it creates admin/admin and staff accounts sharing one known password).
        admin_password = os.environ.get("DEMO_ADMIN_PASSWORD", "admin")
        marketing_password = os.environ.get("DEMO_MARKETING_PASSWORD", "marketing")
        staff_password = os.environ.get("DEMO_STAFF_PASSWORD", "pizza")
        with transaction.atomic():
            products = load_catalogue()
            load_pages(products)
            created = load_accounts(admin_password, marketing_password)
        load_stock()  # ingredients, recipes and stock of every restaurant
        load_staff(staff_password)  # recipe sheets, the restaurants' staff, head office
        load_options()  # option groups (toppings, removals, crusts, half-and-half) and their recipe changes
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if created:
            self.stdout.write(f"Accounts created: {', '.join(created)}")
        self.stdout.write(f"Admin: /admin/  user admin / {admin_password}  ·  marketing / {marketing_password}")
        self.stdout.write(
            f"Staff (kitchen board at /admin/cuisine/): gerant-bastille, pizzaiolo-bastille, livreur-bastille, "
            f"comptoir-bastille, pizzaiolo-nation, siege / {staff_password}"
        )
