import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ordering.staff.stream import StreamServer


class Command(BaseCommand):
    help = (
        "Serves the kitchen boards' event stream (Server-Sent Events fed by Redis) on BOARD_STREAM_BIND "
        "(host:port), apart from gunicorn: nginx routes /admin/cuisine/flux/ to it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.BOARD_STREAM_BIND, help="host:port (default: BOARD_STREAM_BIND)")

    def handle(self, *args, bind, **options):
        if not settings.REDIS_URL:
            raise CommandError("The board stream needs Redis: set REDIS_URL.")
        host, _, port = bind.rpartition(":")
        server = StreamServer(settings.REDIS_URL)
        try:
            asyncio.run(
                server.serve(
                    host or "0.0.0.0", int(port), ready=lambda: self.stdout.write(f"ready on {bind}", ending="\n")
                )
            )
        except KeyboardInterrupt:
            pass
