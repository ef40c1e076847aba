"""The figures of the sales reports (ordering.staff.sales_reports): each table is one aggregated
query over the chosen restaurants and days, answered by PostgreSQL from the indexes of migration
0019; Python only shapes the few rows that come back (never a loop over orders).

Sold: every order but the cancelled ones and those still awaiting their online payment. Days are
the orders' days (the restaurant's day, as in their numbers); hours and weekdays are local time.
Amounts are VAT-inclusive, as the prices. Food cost uses today's recipes and ingredient costs."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Sum, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from core.money import to_money

from ..models import Ingredient, Order, OrderLine, RecipeLine, StatusChange, Stock, StockMovement
from ..workflow import Status

NOT_SOLD = [Status.CANCELLED, Status.AWAITING_PAYMENT]
ZERO = Decimal("0")
TENTH = Decimal("0.1")


def sold(ids, start, end):
    """The orders sold by these restaurants (ids) from `start` to `end`, both included."""
    return Order.objects.filter(restaurant_id__in=ids, day__gte=start, day__lte=end).exclude(status__in=NOT_SOLD)


def share(part, whole):
    """Per cent, to the tenth; None when there is nothing to share."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH)


def average(amount, count):
    return to_money(amount / count) if count else None


def by_key(ids, start, end, key):
    """[(restaurant id, value of `key`, orders, revenue)]: per channel, payment method or day."""
    rows = (
        sold(ids, start, end)
        .values("restaurant_id", key)
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("restaurant_id", key)
    )
    return [(row["restaurant_id"], row[key], row["orders"], row["revenue"]) for row in rows]


def heatmap(ids, start, end):
    """[(ISO weekday 1-7 of the order's day, local hour 0-23, orders, revenue)], hours with orders only."""
    rows = (
        sold(ids, start, end)
        .annotate(weekday=ExtractIsoWeekDay("day"), hour=ExtractHour("created_at"))
        .values("weekday", "hour")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("weekday", "hour")
    )
    return [(row["weekday"], row["hour"], row["orders"], row["revenue"]) for row in rows]


def recipe_costs(size_ids):
    """{size id: what one unit costs in ingredients}, from the recipes and the ingredients' costs."""
    rows = (
        RecipeLine.objects.filter(size_id__in=size_ids)
        .values("size_id")
        .annotate(
            cost=Sum(
                F("quantity") * F("ingredient__cost_per_unit"),
                output_field=DecimalField(max_digits=24, decimal_places=9),
            )
        )
        .order_by()
    )
    return {row["size_id"]: row["cost"] for row in rows}


def product_mix(ids, start, end):
    """[(restaurant id, product, size, size id, quantity, revenue)] sold, in one query over the lines."""
    rows = (
        OrderLine.objects.filter(order__restaurant_id__in=ids, order__day__gte=start, order__day__lte=end)
        .exclude(order__status__in=NOT_SOLD)
        .values("order__restaurant_id", "product_name", "size_label", "size_id")
        .annotate(quantity=Sum("quantity"), revenue=Sum("line_total"))
        .order_by()
    )
    return [
        (
            row["order__restaurant_id"],
            row["product_name"],
            row["size_label"],
            row["size_id"],
            row["quantity"],
            row["revenue"],
        )
        for row in rows
    ]


def step_times(ids, start, end):
    """{restaurant id: (preparations, p50, p90, deliveries, p50, p90)}, durations in minutes from the
    status log: preparation from "in preparation" to "ready", delivery from "out for delivery" to
    "delivered" (the first time each was reached). Percentiles are PostgreSQL's percentile_cont
    (interpolated), in one query."""
    sql = f"""
        SELECT restaurant_id,
               count(ready - started),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ready - started)),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM ready - started)),
               count(delivered - departed),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered - departed)),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM delivered - departed))
        FROM (
            SELECT o.restaurant_id,
                   min(s.at) FILTER (WHERE s.to_status = %(started)s) AS started,
                   min(s.at) FILTER (WHERE s.to_status = %(ready)s) AS ready,
                   min(s.at) FILTER (WHERE s.to_status = %(departed)s) AS departed,
                   min(s.at) FILTER (WHERE s.to_status = %(delivered)s) AS delivered
            FROM {Order._meta.db_table} o
            JOIN {StatusChange._meta.db_table} s ON s.order_id = o.id
            WHERE o.restaurant_id = ANY(%(ids)s) AND o.day BETWEEN %(start)s AND %(end)s
              AND s.to_status = ANY(%(steps)s)
            GROUP BY o.id, o.restaurant_id
        ) steps
        GROUP BY restaurant_id
    """
    steps = [Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY, Status.DELIVERED]
    params = {
        "ids": list(ids),
        "start": start,
        "end": end,
        "started": Status.IN_PREPARATION.value,
        "ready": Status.READY.value,
        "departed": Status.OUT_FOR_DELIVERY.value,
        "delivered": Status.DELIVERED.value,
        "steps": [step.value for step in steps],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()

    def minutes(seconds):
        return None if seconds is None else (Decimal(seconds) / 60).quantize(TENTH)

    return {
        row[0]: (row[1], minutes(row[2]), minutes(row[3]), row[4], minutes(row[5]), minutes(row[6])) for row in found
    }


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _cost(reasons):
    """What the movements of these kinds took out of stock, at the ingredients' cost."""
    return Sum(
        Case(
            When(reason__in=reasons, then=-F("delta") * F("stock__ingredient__cost_per_unit")),
            default=ZERO,
            output_field=DecimalField(max_digits=24, decimal_places=9),
        )
    )


def stock_losses(ids, start, end):
    """{restaurant id: (waste, inventory loss)} in euros over these days, from the stock movement log:
    the movements recorded as waste, and what inventory counts found missing (negative: found more
    than the log said). Few rows: read through the (reason, created_at) index."""
    rows = (
        StockMovement.objects.filter(
            reason__in=[StockMovement.Reason.WASTE, StockMovement.Reason.INVENTORY],
            created_at__gte=_local_midnight(start),
            created_at__lt=_local_midnight(end + timedelta(days=1)),
            stock__restaurant_id__in=ids,
        )
        .values("stock__restaurant_id")
        .annotate(waste=_cost([StockMovement.Reason.WASTE]), loss=_cost([StockMovement.Reason.INVENTORY]))
        .order_by()
    )
    return {row["stock__restaurant_id"]: (to_money(row["waste"]), to_money(row["loss"])) for row in rows}


def uncosted_ingredients(ids):
    """Names of the ingredients these restaurants stock whose cost is not entered (0): food costs
    would be understated."""
    return list(
        Ingredient.objects.filter(
            cost_per_unit=0, pk__in=Stock.objects.filter(restaurant_id__in=ids).values("ingredient_id")
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
