"""Today's figures for the managers' dashboard panel."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from .models import Order, StatusChange, Stock
from .workflow import Status


def _average(durations):
    return sum(durations, timedelta()) / len(durations) if durations else None


def today_by_restaurant(restaurants):
    """One row per restaurant, from a fixed number of queries."""
    today = timezone.localdate()
    orders = list(Order.objects.filter(restaurant__in=restaurants, day=today).values("pk", "restaurant_id", "status", "total"))
    changes = {}
    for change in StatusChange.objects.filter(order__restaurant__in=restaurants, order__day=today).values("order_id", "to_status", "at"):
        changes.setdefault(change["order_id"], {})[change["to_status"]] = change["at"]
    low = {}
    for stock in Stock.objects.filter(restaurant__in=restaurants, quantity__lt=F("low_threshold")).select_related("ingredient"):
        low.setdefault(stock.restaurant_id, []).append(stock)
    rows = []
    for restaurant in restaurants:
        mine = [o for o in orders if o["restaurant_id"] == restaurant.pk]
        counts = {status: sum(1 for o in mine if o["status"] == status) for status in Status}
        paid_for = [o for o in mine if o["status"] not in (Status.CANCELLED, Status.AWAITING_PAYMENT)]
        steps = [changes.get(o["pk"], {}) for o in mine]
        preparation = [s[Status.READY] - s[Status.IN_PREPARATION] for s in steps if Status.READY in s and Status.IN_PREPARATION in s]
        delivery = [s[Status.DELIVERED] - s[Status.OUT_FOR_DELIVERY] for s in steps if Status.DELIVERED in s and Status.OUT_FOR_DELIVERY in s]
        rows.append({
            "restaurant": restaurant,
            "counts": [(Status(status).label, count) for status, count in counts.items() if count],
            "orders": len(mine),
            "revenue": sum((o["total"] for o in paid_for), Decimal("0.00")),
            "preparation": _average(preparation),
            "delivery": _average(delivery),
            "low_stock": low.get(restaurant.pk, []),
        })
    return rows
