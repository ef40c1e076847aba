"""Payment methods behind one small interface, so the checkout does not know
any provider's details: a gateway has a `method` (Order.PaymentMethod), says
whether it `is_available()`, and `start(request, order)` returns a redirect to
the provider (None: nothing to do online). Paying on delivery / at the counter
is the gateway here; each online provider ships its own (PayPal's:
ordering/paypal/gateway.py). Refunds go through the order services' refunder
registry (ordering.services.register_refunder)."""

from .models import Order
from .paypal.gateway import PayByPayPal


class PayOnSite:
    method = Order.PaymentMethod.ON_SITE

    def is_available(self):
        return True

    def start(self, request, order):
        """Nothing to do online: the order is placed and paid when handed over."""
        return None


# Gateways in the order the checkout offers them.
GATEWAYS = [PayOnSite, PayByPayPal]


def gateways(include_unavailable=False):
    every = (gateway() for gateway in GATEWAYS)
    return [gateway for gateway in every if include_unavailable or gateway.is_available()]


def available_methods():
    return [gateway.method for gateway in gateways()]


def gateway_for(method, include_unavailable=False):
    for gateway in gateways(include_unavailable):
        if gateway.method == method:
            return gateway
    raise LookupError(method)
