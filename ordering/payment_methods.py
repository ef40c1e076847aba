"""Payment methods behind one small interface, so the checkout does not know
any provider's details. Paying on delivery / at the counter needs nothing
online; an online gateway (PayPal) returns a redirect to its approval page.
Refunds are registered with the order services by each provider
(ordering.services.register_refunder)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Order
from .paypal.client import PayPalRefused, PayPalUnavailable
from .paypal.payments import begin


class PayOnSite:
    method = Order.PaymentMethod.ON_SITE

    def is_available(self):
        return True

    def start(self, request, order):
        """Nothing to do online: the order is placed and paid when handed over."""
        return None


class PayByPayPal:
    method = Order.PaymentMethod.PAYPAL

    def is_available(self):
        return settings.PAYPAL_MODE != "off"

    def start(self, request, order):
        """Sends the customer to PayPal's approval page; if PayPal cannot be
        reached, the order stays awaiting payment and its page offers a retry."""
        token = order.tracking_token
        return_url = request.build_absolute_uri(reverse("ordering:paypal_return", args=[token]))
        cancel_url = request.build_absolute_uri(reverse("ordering:paypal_cancel", args=[token]))
        try:
            return redirect(begin(order, return_url, cancel_url))
        except (PayPalUnavailable, PayPalRefused):
            messages.error(request, _("PayPal cannot be reached right now. Your order is kept: try again in a moment, or pay on delivery."))
            return redirect(order.get_tracking_url())


# Gateways in the order the checkout offers them.
GATEWAYS = ["ordering.payment_methods.PayOnSite", "ordering.payment_methods.PayByPayPal"]


def gateways(include_unavailable=False):
    every = (import_string(path)() for path in GATEWAYS)
    return [gateway for gateway in every if include_unavailable or gateway.is_available()]


def available_methods():
    return [gateway.method for gateway in gateways()]


def gateway_for(method, include_unavailable=False):
    for gateway in gateways(include_unavailable):
        if gateway.method == method:
            return gateway
    raise LookupError(method)
