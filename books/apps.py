from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BooksConfig(AppConfig):
    name = "books"
    verbose_name = _("Books")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The sales journal hears every sale, payment, refund and cancellation inside
        # the transaction of the order service that makes it (ordering.signals.order_booked).
        from . import receivers

        receivers.connect()
