"""The life of an order: its statuses and the only transitions allowed between them.

Every status change in the project goes through the order services
(ordering.services), which check this table and record who made the change and when.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PLACED = "placed", _("Placed")
    IN_PREPARATION = "in_preparation", _("In preparation")
    READY = "ready", _("Ready")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


class Fulfilment(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup", _("Take-away")


# status -> statuses it may move to
TRANSITIONS = {
    Status.AWAITING_PAYMENT: {Status.PLACED, Status.CANCELLED},
    Status.PLACED: {Status.IN_PREPARATION, Status.CANCELLED},
    Status.IN_PREPARATION: {Status.READY},
    Status.READY: {Status.OUT_FOR_DELIVERY, Status.COLLECTED},
    Status.OUT_FOR_DELIVERY: {Status.DELIVERED},
    Status.DELIVERED: set(),
    Status.COLLECTED: set(),
    Status.CANCELLED: set(),
}
# Transitions that only make sense for one way of getting the pizzas.
ONLY_FOR = {
    Status.OUT_FOR_DELIVERY: Fulfilment.DELIVERY,
    Status.DELIVERED: Fulfilment.DELIVERY,
    Status.COLLECTED: Fulfilment.PICKUP,
}
# Moves that only a payment decision makes (paid online, or switched to paying
# on site: ordering.services' payment functions), never a plain status change.
DECIDED_BY_PAYMENT = {(Status.AWAITING_PAYMENT, Status.PLACED)}
# The customer may change or cancel until the kitchen starts.
CHANGEABLE = {Status.AWAITING_PAYMENT, Status.PLACED}
FINISHED = {Status.DELIVERED, Status.COLLECTED, Status.CANCELLED}


def can_transition(current, target, fulfilment):
    if target not in TRANSITIONS[Status(current)]:
        return False
    return ONLY_FOR.get(target, fulfilment) == fulfilment


def timeline(fulfilment):
    """The happy path a customer sees on the tracking page."""
    last = [Status.OUT_FOR_DELIVERY, Status.DELIVERED] if fulfilment == Fulfilment.DELIVERY else [Status.COLLECTED]
    return [Status.PLACED, Status.IN_PREPARATION, Status.READY, *last]
