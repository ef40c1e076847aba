"""Payment methods behind one small interface, so the checkout does not know
any provider's details. Paying on delivery / at the counter needs nothing
online; an online gateway (PayPal) returns a redirect to its approval page."""

from django.utils.module_loading import import_string

from .models import Order


class OnSitePayment:
    method = Order.PaymentMethod.ON_SITE

    def is_available(self):
        return True

    def start(self, request, order):
        """Nothing to do online: the order is placed and paid when handed over."""
        return None


# Gateways in the order the checkout offers them. An online gateway is added here.
GATEWAYS = ["ordering.payments.OnSitePayment"]


def gateways():
    return [gateway for gateway in (import_string(path)() for path in GATEWAYS) if gateway.is_available()]


def available_methods():
    return [gateway.method for gateway in gateways()]


def gateway_for(method):
    for gateway in gateways():
        if gateway.method == method:
            return gateway
    raise LookupError(method)
