"""Paying with PayPal, as a payment method of the checkout (ordering.payment_methods)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Order
from .client import PayPalRefused, PayPalUnavailable
from .payments import begin


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
            messages.error(
                request,
                _("PayPal cannot be reached right now. Your order is kept: try again in a moment, or pay on delivery."),
            )
            return redirect(order.get_tracking_url())
