"""The ordering app's exceptions, in one place (as Oscar's apps have theirs).

OrderError and its subclasses carry a message for the customer or the staff
member (views show it); the others are caught by the code that expects them.
The PayPal HTTP client's own errors (PayPalUnavailable, PayPalRefused) stay in
ordering/paypal/client.py: they are that adapter's interface, which imports
nothing from the app.
"""

from django.utils.translation import gettext as _


class OrderError(Exception):
    """A problem the customer can fix; the message is shown to them."""


class OutOfStock(OrderError):
    def __init__(self, product_names):
        self.product_names = product_names
        super().__init__(
            _("Sorry, not enough left to make: %(products)s. Please change your order.")
            % {"products": ", ".join(product_names)}
        )


class PromoCodeRefused(OrderError):
    """The promotion code typed at checkout cannot be used (the message says why): shown by its field."""


class TransitionNotAllowed(Exception):
    """The state machine (ordering.workflow) does not allow this status change now."""


class NotYourDelivery(TransitionNotAllowed):
    """Another courier took this delivery: only they (or a manager) hand it over."""


# --- PayPal payments (ordering.paypal.payments) -------------------------------


class PaymentDeclined(Exception):
    """PayPal declined the capture (the payer's instrument, approval missing...)."""


class NoLongerAwaitingPayment(Exception):
    """The order was switched to paying on site, released or paid otherwise: nothing is captured."""


class PaymentMismatch(Exception):
    """PayPal captured something other than this order's amount (it is refunded)."""


class MalformedEvent(ValueError):
    """A webhook event whose fields are not what PayPal sends: refused, nothing written."""
