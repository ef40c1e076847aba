"""The managers' panel on the Wagtail dashboard: today's figures per restaurant."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.admin.ui.components import Component

from ..models import Order, StatusChange, Stock
from ..workflow import Fulfilment, Status
from .permissions import can, restaurants_for


def _average(durations):
    return sum(durations, timedelta()) / len(durations) if durations else None


# When an order was promised: the slot chosen, or the estimate given for "as soon as possible"
# (for a delivery, at the door: the riding time is in it; for a take-away, at the counter).
PROMISED = Coalesce("requested_for", "estimated_ready_at")
# Orders not yet where they were promised to be: in the kitchen, or on the way. A take-away
# that is ready waits for its customer: it kept its promise.
OPEN_PROMISES = [Status.PLACED, Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY]


def late_by_restaurant(restaurants, now=None):
    """{restaurant id: (orders past their promised time, the oldest promise)}, counted in one query."""
    now = now or timezone.now()
    rows = (
        Order.objects.filter(restaurant__in=restaurants, status__in=OPEN_PROMISES)
        .exclude(fulfilment=Fulfilment.PICKUP, status=Status.READY)
        .annotate(promised=PROMISED)
        .filter(promised__lt=now)
        .values("restaurant_id")
        .annotate(count=Count("pk"), oldest=Min("promised"))
        .order_by()
    )
    return {row["restaurant_id"]: (row["count"], row["oldest"]) for row in rows}


def today_by_restaurant(restaurants, now=None):
    """One row per restaurant, from a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    orders = list(
        Order.objects.filter(restaurant__in=restaurants, day=today).values("pk", "restaurant_id", "status", "total")
    )
    changes = {}
    for change in StatusChange.objects.filter(order__restaurant__in=restaurants, order__day=today).values(
        "order_id", "to_status", "at"
    ):
        changes.setdefault(change["order_id"], {})[change["to_status"]] = change["at"]
    low = {}
    for stock in Stock.objects.filter(restaurant__in=restaurants, quantity__lt=F("low_threshold")).select_related(
        "ingredient"
    ):
        low.setdefault(stock.restaurant_id, []).append(stock)
    late = late_by_restaurant(restaurants, now)
    rows = []
    for restaurant in restaurants:
        mine = [o for o in orders if o["restaurant_id"] == restaurant.pk]
        counts = {status: sum(1 for o in mine if o["status"] == status) for status in Status}
        paid_for = [o for o in mine if o["status"] not in (Status.CANCELLED, Status.AWAITING_PAYMENT)]
        steps = [changes.get(o["pk"], {}) for o in mine]
        preparation = [
            s[Status.READY] - s[Status.IN_PREPARATION]
            for s in steps
            if Status.READY in s and Status.IN_PREPARATION in s
        ]
        delivery = [
            s[Status.DELIVERED] - s[Status.OUT_FOR_DELIVERY]
            for s in steps
            if Status.DELIVERED in s and Status.OUT_FOR_DELIVERY in s
        ]
        rows.append(
            {
                "restaurant": restaurant,
                "counts": [(Status(status).label, count) for status, count in counts.items() if count],
                "orders": len(mine),
                "revenue": sum((o["total"] for o in paid_for), Decimal("0.00")),
                "preparation": _average(preparation),
                "delivery": _average(delivery),
                "low_stock": low.get(restaurant.pk, []),
                "late": late[restaurant.pk][0] if restaurant.pk in late else 0,
                "late_by": now - late[restaurant.pk][1] if restaurant.pk in late else None,
            }
        )
    return rows


class ManagerDashboardPanel(Component):
    """Today, per restaurant the manager runs: orders by status, revenue,
    average preparation and delivery times, low stock, orders running late."""

    name = "ocpizza_today"
    order = 50
    template_name = "ordering/staff/dashboard_panel.html"

    def __init__(self, restaurants, user):
        self.restaurants = restaurants
        self.user = user

    def get_context_data(self, parent_context=None):
        rows = today_by_restaurant(self.restaurants)
        for row in rows:  # head office sees low stock everywhere, but restocks nowhere: no link then
            row["may_restock"] = can(self.user, "stock", row["restaurant"])
        return {"rows": rows}


def add_manager_panel(request, panels):
    """The panel, for the restaurants this person may see the figures of (none: no panel)."""
    restaurants = [r for r in restaurants_for(request.user).order_by("title") if can(request.user, "dashboard", r)]
    if restaurants:
        panels.append(ManagerDashboardPanel(restaurants, request.user))
