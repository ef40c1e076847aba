import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail import hooks

from devtools.demo.content import load_demo


class Command(BaseCommand):
    help = "Creates the demo restaurants, menu and accounts. Safe to run again: it only adds what is missing."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            # It creates admin/admin and staff accounts sharing one known password.
            raise CommandError(f"load_demo creates accounts with known passwords: it does not run under {settings.SETTINGS_MODULE} "
                               "(only under settings.dev, or settings that set DEMO_DATA_ALLOWED = True).")
        admin_password = os.environ.get("DEMO_ADMIN_PASSWORD", "admin")
        marketing_password = os.environ.get("DEMO_MARKETING_PASSWORD", "marketing")
        created = load_demo(admin_password, marketing_password)
        for load_more in hooks.get_hooks("load_demo"):  # e.g. the ordering app's stock and recipes
            load_more()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if created:
            self.stdout.write(f"Accounts created: {', '.join(created)}")
        self.stdout.write(f"Admin: /admin/  user admin / {admin_password}  ·  marketing / {marketing_password}")
        staff_password = os.environ.get("DEMO_STAFF_PASSWORD", "pizza")
        self.stdout.write(f"Staff (kitchen board at /admin/cuisine/): gerant-bastille, pizzaiolo-bastille, livreur-bastille, "
                          f"comptoir-bastille, pizzaiolo-nation, siege / {staff_password}")
