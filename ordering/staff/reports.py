"""Promised against actual times, per restaurant and day: when each order was promised
(the slot chosen, or the estimate given for "as soon as possible") and when it got there,
read from the status log: ready for a take-away, delivered for a delivery. For managers
(their restaurants) and head office (every restaurant); on screen and as CSV.

The query string takes the date and the restaurant only, with values that parse;
anything else is refused (400)."""

import csv
import math
from datetime import timedelta

from django import forms
from django.db.models import Case, OuterRef, Subquery, When
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home.models import RestaurantPage

from ..models import Order, StatusChange
from ..workflow import Fulfilment, Status
from .dashboard import PROMISED
from .permissions import can, restaurants_for
from .views import forbidden

VERY_LATE = timedelta(minutes=15)


class PunctualityQuery(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    restaurant = forms.ModelChoiceField(
        label=gettext_lazy("Restaurant"),
        queryset=RestaurantPage.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my restaurants"),
    )

    def __init__(self, data, *, restaurants):
        super().__init__(data)
        self.fields["restaurant"].queryset = RestaurantPage.objects.filter(pk__in=[r.pk for r in restaurants]).order_by(
            "title"
        )

    def clean(self):
        for name in self.data:
            if name not in self.fields:
                raise forms.ValidationError(_("“%(name)s” is not a filter of this report.") % {"name": name[:100]})
            if len(self.data.getlist(name)) > 1:
                raise forms.ValidationError(_("“%(name)s” is given more than once.") % {"name": name[:100]})
        return super().clean()


def percentile(ordered, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def _first(status):
    return StatusChange.objects.filter(order=OuterRef("pk"), to_status=status).order_by("at", "pk").values("at")[:1]


def punctuality_rows(restaurants, day):
    """One row per restaurant and way of handing over, for the orders promised on `day` that got
    there: counts on time / late / more than 15 minutes late, and the gap (actual − promised)
    at the median, the 90th percentile and the worst, as timedeltas (negative: early)."""
    orders = (
        Order.objects.filter(restaurant__in=restaurants)
        .exclude(status=Status.CANCELLED)
        .annotate(promised=PROMISED)
        .filter(promised__date=day)
        .annotate(
            actual=Case(
                When(fulfilment=Fulfilment.DELIVERY, then=Subquery(_first(Status.DELIVERED))),
                default=Subquery(_first(Status.READY)),
            )
        )
        .filter(actual__isnull=False)
        .values_list("restaurant_id", "fulfilment", "promised", "actual")
    )
    gaps = {}
    for restaurant_id, fulfilment, promised, actual in orders:
        gaps.setdefault((restaurant_id, fulfilment), []).append(actual - promised)
    rows = []
    for restaurant in restaurants:
        for fulfilment in Fulfilment:
            found = sorted(gaps.get((restaurant.pk, fulfilment.value), []))
            if not found:
                continue
            rows.append(
                {
                    "restaurant": restaurant,
                    "day": day,
                    "kind": fulfilment.value,
                    "fulfilment": fulfilment.label,
                    "orders": len(found),
                    "on_time": sum(1 for gap in found if gap <= timedelta(0)),
                    "late": sum(1 for gap in found if gap > timedelta(0)),
                    "very_late": sum(1 for gap in found if gap > VERY_LATE),
                    "p50": percentile(found, 50),
                    "p90": percentile(found, 90),
                    "worst": found[-1],
                }
            )
    return rows


def minutes(gap):
    """A gap as whole minutes, signed: "+12", "-3", "0"."""
    value = round(gap.total_seconds() / 60)
    return f"{value:+d}" if value else "0"


def _report(request):
    """(query form, rows) for this person's restaurants, or an HttpResponse refusing the request."""
    restaurants = [r for r in restaurants_for(request.user).order_by("title") if can(request.user, "dashboard", r)]
    if not restaurants:
        return None, forbidden()
    query = PunctualityQuery(request.GET, restaurants=restaurants)
    if not query.is_valid():
        return query, render(request, "ordering/staff/bad_query.html", {"form": query}, status=400)
    chosen = query.cleaned_data["restaurant"]
    day = query.cleaned_data["date"] or timezone.localdate()
    return query, punctuality_rows([chosen] if chosen else restaurants, day)


def punctuality(request):
    query, rows = _report(request)
    if isinstance(rows, HttpResponse):
        return rows
    for row in rows:
        row["gaps"] = [minutes(row[key]) for key in ("p50", "p90", "worst")]
    day = query.cleaned_data["date"] or timezone.localdate()
    return render(
        request,
        "ordering/staff/punctuality.html",
        {
            "form": query,
            "rows": rows,
            "day": day,
            "csv_query": request.GET.urlencode(),
        },
    )


HEADER = [
    gettext_lazy("Restaurant"),
    gettext_lazy("Day"),
    gettext_lazy("Delivery or take-away"),
    gettext_lazy("Orders"),
    gettext_lazy("On time"),
    gettext_lazy("Late"),
    gettext_lazy("Late by more than 15 min"),
    gettext_lazy("Median gap (min)"),
    gettext_lazy("90th percentile gap (min)"),
    gettext_lazy("Worst gap (min)"),
]


def _cell(value):
    """A spreadsheet never runs a cell as a formula."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not value.lstrip("+-").isdigit() else value


def punctuality_csv(request):
    query, rows = _report(request)
    if isinstance(rows, HttpResponse):
        return rows
    day = query.cleaned_data["date"] or timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ponctualite-{day:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([str(title) for title in HEADER])
    for row in rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row["restaurant"].title,
                    f"{row['day']:%Y-%m-%d}",
                    row["fulfilment"],
                    row["orders"],
                    row["on_time"],
                    row["late"],
                    row["very_late"],
                    minutes(row["p50"]),
                    minutes(row["p90"]),
                    minutes(row["worst"]),
                )
            ]
        )
    return response
