from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import checks  # noqa: F401  (registers the system checks)


class OrderingConfig(AppConfig):
    name = "ordering"
    verbose_name = _("Ordering")

    def ready(self):
        # Imported here, not at the top: these modules import the models, which
        # cannot be imported before the app registry is ready (Django's rule).
        from home.cache import watch

        from . import receivers
        from .models import CapacityRule, CapacitySettings, Ingredient, OptionRecipeLine, Order, RecipeLine
        from .paypal.payments import record_refunds
        from .services import register_refunder

        receivers.connect()
        watch(
            Ingredient, RecipeLine, OptionRecipeLine, CapacitySettings, CapacityRule
        )  # recipes decide what a restaurant's page shows it can make
        register_refunder(Order.PaymentMethod.PAYPAL, record_refunds)
