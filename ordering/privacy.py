"""Customers' data: what we hold about a customer (downloadable as JSON), deleting an account, and
blanking guests' personal data once GUEST_DATA_RETENTION_DAYS have passed.

Anonymising an order blanks who ordered and where to (name, phone, e-mail, address, note) and
nothing else: the order, its lines, totals, payments and status history stay, so the figures and
the books are unchanged. No order is ever deleted."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from offers.services import card_of, forget_redemptions

from .models import Order, SavedAddress
from .workflow import FINISHED

# The personal fields of an order and what they become.
BLANKED = {"name": "", "phone": "", "email": "", "street_address": "", "postcode": "", "city": "", "note": ""}


class OrderInProgress(Exception):
    """The account has an order still on its way: it cannot be deleted before it is handed over."""


def anonymise(orders, now=None):
    """Blanks the personal data of these orders (a queryset), in one UPDATE; returns how many.
    The e-mails their promotion uses were counted by go too (offers)."""
    due = orders.filter(anonymised_at__isnull=True)
    forget_redemptions(due)
    return due.update(**BLANKED, anonymised_at=now or timezone.now())


def guest_orders_due(now=None):
    """Guests' finished orders older than the retention period whose personal data are still there."""
    now = now or timezone.now()
    return Order.objects.filter(
        customer__isnull=True,
        anonymised_at__isnull=True,
        status__in=FINISHED,
        created_at__lt=now - timedelta(days=settings.GUEST_DATA_RETENTION_DAYS),
    )


def anonymise_guest_orders(now=None, batch=1000):
    """Anonymises the guest orders due, a batch per transaction (rows locked, skipping any another
    run holds); returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                guest_orders_due(now)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return done
            done += anonymise(Order.objects.filter(pk__in=ids), now)


def delete_account(user):
    """Deletes a customer's account and its saved addresses, anonymising its orders (kept, with their
    figures, no longer linked to anyone). Refused while one of its orders is in progress."""
    with transaction.atomic():
        orders = Order.objects.select_for_update().filter(customer=user)
        if orders.exclude(status__in=FINISHED).exists():
            raise OrderInProgress
        ids = list(orders.values_list("pk", flat=True))
        anonymise(Order.objects.filter(pk__in=ids))
        Order.objects.filter(pk__in=ids).update(customer=None)
        user.delete()


def _when(moment):
    return moment.isoformat() if moment else None


def customer_data(user):
    """Everything we hold about this customer, as JSON-ready data (their own orders only)."""
    orders = (
        Order.objects.filter(customer=user)
        .select_related("restaurant")
        .prefetch_related("lines", "discounts")
        .order_by("pk")
    )
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "loyalty_stamps": card_of(user)["stamps"],
        "saved_addresses": [
            {
                "street_address": address.street_address,
                "postcode": address.postcode,
                "city": address.city,
                "saved_at": _when(address.created_at),
                "last_used_at": _when(address.last_used_at),
            }
            for address in SavedAddress.objects.filter(user=user).order_by("pk")
        ],
        "orders": [
            {
                "number": order.number,
                "restaurant": order.restaurant.title,
                "placed_at": _when(order.created_at),
                "status": order.status,
                "channel": order.channel,
                "fulfilment": order.fulfilment,
                "requested_for": _when(order.requested_for),
                "name": order.name,
                "phone": order.phone,
                "email": order.email,
                "street_address": order.street_address,
                "postcode": order.postcode,
                "city": order.city,
                "note": order.note,
                "lines": [
                    {
                        "product": line.product_name,
                        "size": line.size_label,
                        "quantity": line.quantity,
                        "unit_price": str(line.unit_price),
                        "total": str(line.line_total),
                    }
                    for line in order.lines.all()
                ],
                "subtotal": str(order.subtotal),
                "delivery_fee": str(order.delivery_fee),
                "discounts": [{"label": d.label, "amount": str(d.amount)} for d in order.discounts.all()],
                "total": str(order.total),
                "payment_method": order.payment_method,
                "payment_state": order.payment_state,
            }
            for order in orders
        ],
    }
