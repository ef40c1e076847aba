"""What the customer is told about an order's payment and time, in one place for
the tracking page (and its live status) and the e-mails, so that they agree."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.money import format_euros

from .models import Order
from .workflow import FINISHED, Status

# The kitchen has it and it is not handed over yet: too late to change or cancel.
IN_THE_KITCHEN = {Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY}
PaymentState = Order.PaymentState


def payment_note(order):
    """What is paid, owed or given back, e.g. "To pay on delivery (cash or card): 12,50 €"."""
    total = {"total": format_euros(order.total)}
    online = order.payment_method == Order.PaymentMethod.PAYPAL
    if order.payment_state == PaymentState.REFUNDED:
        return _("Refunded: %(total)s.") % total
    if order.status == Status.CANCELLED:
        if order.payment_state != PaymentState.PAID:
            return _("Nothing to pay.")
        if online:
            return _("Refund in progress: %(total)s.") % total
        return _("Paid %(total)s at the restaurant: ask the restaurant for your refund.") % total
    if order.payment_state == PaymentState.PAID:
        if online:
            return _("Paid online with PayPal: %(total)s.") % total
        if order.collected_with == "cash":
            return _("Paid in cash: %(total)s.") % total
        if order.collected_with == "card":
            return _("Paid by card: %(total)s.") % total
        return _("Paid: %(total)s.") % total
    if order.status == Status.AWAITING_PAYMENT:
        return _("Waiting for your PayPal payment: %(total)s.") % total
    if order.status in FINISHED:  # handed over: the courier or the counter took the money
        return _("Paid at hand-over: %(total)s.") % total
    if order.is_delivery:
        return _("To pay on delivery (cash or card): %(total)s.") % total
    return _("To pay at the counter (cash or card): %(total)s.") % total


def time_note(order):
    """ "planned for 19:45" (the slot the customer chose), "delivery estimated at
    about 19:30" (as soon as possible: an estimate, said so), or "" once the order
    is handed over or cancelled."""
    if order.status in FINISHED:
        return ""
    moment = order.requested_for or order.estimated_ready_at
    if moment is None:
        return ""
    moment = timezone.localtime(moment)
    time = moment.strftime("%H:%M")
    if order.requested_for is None:
        if order.is_delivery:
            return _("delivery estimated at about %(time)s") % {"time": time}
        return _("ready at about %(time)s (estimate)") % {"time": time}
    if moment.date() != timezone.localdate():
        return _("planned for %(day)s at %(time)s") % {"day": moment.strftime("%d/%m"), "time": time}
    return _("planned for %(time)s") % {"time": time}


def kitchen_has_it(order):
    return order.status in IN_THE_KITCHEN


def headline(order):
    """One sentence on the tracking page saying where the order is, for this way of getting it."""
    status, delivery = order.status, order.is_delivery
    if status == Status.AWAITING_PAYMENT:
        return _("Your order is waiting for its payment.")
    if status == Status.PLACED:
        return _("The restaurant has received your order.")
    if status == Status.IN_PREPARATION:
        return _("Your order is being prepared.")
    if status == Status.READY:
        return _("Your order is ready and leaves soon.") if delivery else _("Your order is ready: you can collect it.")
    if status == Status.OUT_FOR_DELIVERY:
        return _("Your order is on its way.")
    if status == Status.DELIVERED:
        return _("Your order was delivered. Enjoy your meal!")
    if status == Status.COLLECTED:
        return _("You collected your order. Enjoy your meal!")
    return _("This order is cancelled.")


def cancel_note(order):
    """What cancelling does to the money, said before the customer confirms."""
    total = {"total": format_euros(order.total)}
    if order.payment_state == PaymentState.PAID and order.payment_method == Order.PaymentMethod.PAYPAL:
        return _("The %(total)s paid with PayPal will be refunded to you.") % total
    if order.payment_state == PaymentState.PAID:
        return _("You paid %(total)s at the restaurant: ask the restaurant for your refund.") % total
    if order.status == Status.AWAITING_PAYMENT:
        return _("The PayPal payment waiting for you is dropped: you will not be charged.")
    return _("You will not be charged anything.")


def moment_phrase(moment):
    """A time inside a sentence: "12:00" today, "demain 12:00", "samedi 14 juin 12:00"."""
    local = timezone.localtime(moment)
    time, today = date_format(local, "H:i"), timezone.localdate()
    if local.date() == today:
        return time
    if (local.date() - today).days == 1:
        return _("tomorrow %(time)s") % {"time": time}
    return f"{date_format(local, 'l j F')} {time}"
