from django.core.management.base import BaseCommand

from devtools.fake_paypal import FakePayPal


class Command(BaseCommand):
    help = "Runs the fake PayPal (test payments only) on 127.0.0.1, for the local demo."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port, **options):
        paypal = FakePayPal(port=port)
        self.stdout.write(f"Fake PayPal (test payments only) on {paypal.url}")
        try:
            paypal.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
