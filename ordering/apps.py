from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderingConfig(AppConfig):
    name = "ordering"
    verbose_name = _("Ordering")

    def ready(self):
        # Registers how PayPal payments are refunded (ordering.services.register_refunder).
        from .paypal import payments  # noqa: F401
        from . import checks  # noqa: F401  (registers the system checks)
