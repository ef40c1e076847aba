"""Printed tickets, for 80 mm thermal printers: the kitchen ticket (what to make) and the
bag ticket (who it is for, what to collect) of an order; and the claim that makes each
kitchen ticket print once, whichever tablet set to print sees the order first."""

from functools import wraps

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ..models import Order
from .permissions import can, may_print_kitchen_tickets
from .views import KITCHEN_COLUMNS, forbidden


def for_order(view):
    """The view gets the order of the URL if this person sees its restaurant's orders; 403 otherwise."""

    @wraps(view)
    def wrapped(request, order_id):
        order = get_object_or_404(Order.objects.select_related("restaurant"), pk=order_id)
        if not can(request.user, "view_orders", order.restaurant):
            return forbidden()
        return view(request, order)

    return wrapped


def _ticket(request, order, template):
    response = render(request, template, {"order": order, "lines": order.lines.all(), "printed_at": timezone.now()})
    response["Cache-Control"] = "no-store"
    return response


@xframe_options_sameorigin  # printed from the kitchen page through a hidden frame
@for_order
def kitchen_ticket(request, order):
    return _ticket(request, order, "ordering/staff/ticket_kitchen.html")


@xframe_options_sameorigin
@for_order
def bag_ticket(request, order):
    return _ticket(request, order, "ordering/staff/ticket_bag.html")


@require_POST
def claim_kitchen_ticket(request, order_id):
    """A tablet set to print asks to print this order's kitchen ticket: 200 (with the ticket's
    address) for the first asker, 409 for every later one. One UPDATE, conditional on the
    ticket not printed yet: concurrent claims queue on the order's row and exactly one wins."""
    order = get_object_or_404(Order.objects.select_related("restaurant"), pk=order_id)
    if not may_print_kitchen_tickets(request.user, order.restaurant):
        return forbidden()
    with transaction.atomic():
        claimed = Order.objects.filter(
            pk=order.pk,
            kitchen_ticket_printed_at__isnull=True,
            status__in=KITCHEN_COLUMNS,
        ).update(kitchen_ticket_printed_at=timezone.now())
    if not claimed:
        order.refresh_from_db(fields=["kitchen_ticket_printed_at"])
        if order.kitchen_ticket_printed_at:
            error = _("This kitchen ticket is already printed.")
        else:
            error = _("This order is not on the kitchen board.")
        return JsonResponse({"error": error}, status=409)
    return JsonResponse({"url": reverse("ordering_staff:kitchen_ticket", args=[order.pk])})
