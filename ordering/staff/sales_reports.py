"""The sales reports, for managers (their restaurants) and head office (every restaurant): over a
range of days and the restaurants chosen, revenue, orders and average basket per restaurant, per
day, per channel and per payment method; the product mix with each product's food cost; an hour ×
weekday heatmap; preparation and delivery times (percentiles, from the status log); the cost of
ingredients used, waste and inventory loss (from the stock movement log). Each table is on screen
(with a chart drawn by the locally served Chart.js, the table staying the source) and downloadable
as CSV and as a spreadsheet (XLSX).

The query string takes `start`, `end` (days) and `restaurant` (repeated to compare several), with
values that parse, restaurants this person may read, at most MAX_DAYS days: anything else is
refused (400) before any figure is read. The figures come from ordering.staff.figures."""

import csv
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_euros, to_money
from home.models import RestaurantPage

from ..models import Order
from . import figures
from .permissions import restaurants_allowed
from .reports import _cell
from .views import forbidden

MAX_DAYS = 400  # a year and a bit: compare this year's with last year's in two requests
MAX_RESTAURANTS = 100
DEFAULT_DAYS = 30
WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


class RestaurantsField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if value and len(value) > MAX_RESTAURANTS:
            raise forms.ValidationError(_("Too many restaurants."))
        return super().clean(value)


class ReportQuery(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    restaurant = RestaurantsField(
        label=gettext_lazy("Restaurants (none: all of mine)"),
        queryset=RestaurantPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data, *, restaurants):
        super().__init__(data)
        self.fields["restaurant"].queryset = RestaurantPage.objects.filter(pk__in=[r.pk for r in restaurants])
        self.restaurants = restaurants

    def clean(self):
        for name in self.data:
            if name not in self.fields:
                raise forms.ValidationError(_("“%(name)s” is not a filter of this report.") % {"name": name[:100]})
            if name != "restaurant" and len(self.data.getlist(name)) > 1:
                raise forms.ValidationError(_("“%(name)s” is given more than once.") % {"name": name[:100]})
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The first day is after the last one."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("At most %(days)s days at a time.") % {"days": MAX_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        chosen = {r.pk for r in cleaned.get("restaurant") or []}
        cleaned["restaurants"] = [r for r in self.restaurants if not chosen or r.pk in chosen]
        return cleaned


# Kinds of columns: how a value is shown on screen (exports keep the value: numbers stay numbers).
TEXT, COUNT, MONEY, PERCENT, MINUTES, DAY = "text", "count", "money", "percent", "minutes", "day"


def shown(value, kind):
    if value is None:
        return "—"
    if kind == MONEY:
        return format_euros(value)
    if kind == PERCENT:
        return f"{number_format(value, decimal_pos=1, use_l10n=True)}\u00a0%"
    if kind == MINUTES:
        return number_format(value, decimal_pos=1, use_l10n=True)
    if kind == DAY:
        return date_format(value, "D j M Y")
    if kind == COUNT:
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


@dataclass
class Table:
    slug: str
    title: str
    columns: list  # [(title, kind)]
    rows: list  # [[value, ...]] in the columns' order
    chart: dict | None = None
    note: str = ""
    grid: dict | None = None  # the heatmap's cells, for the screen

    def shown_rows(self):
        return [
            [shown(value, kind) for value, (_title, kind) in zip(row, self.columns, strict=True)] for row in self.rows
        ]


def _float(value):
    return None if value is None else float(value)


class Report:
    """The figures of one request: each table computed when first asked for, in one query."""

    def __init__(self, restaurants, start, end):
        self.restaurants = restaurants
        self.ids = [r.pk for r in restaurants]
        self.names = {r.pk: r.title for r in restaurants}
        self.start, self.end = start, end

    @cached_property
    def _by_channel(self):
        return figures.by_key(self.ids, self.start, self.end, "channel")

    @cached_property
    def _by_restaurant(self):
        """[(restaurant id, orders, revenue)]: the channels' rows added up (no query of its own)."""
        totals = {}
        for rid, _channel, count, amount in self._by_channel:
            before = totals.get(rid, (0, Decimal("0.00")))
            totals[rid] = (before[0] + count, before[1] + amount)
        return [(rid, count, amount) for rid, (count, amount) in totals.items()]

    @cached_property
    def _lines(self):
        return figures.product_mix(self.ids, self.start, self.end)

    @cached_property
    def _recipe_costs(self):
        return figures.recipe_costs({row[3] for row in self._lines if row[3]})

    def restaurants_table(self):
        rows = self._by_restaurant
        revenue = sum((row[2] for row in rows), Decimal("0.00"))
        orders = sum(row[1] for row in rows)
        lines = [
            [self.names[rid], count, amount, figures.average(amount, count), figures.share(amount, revenue)]
            for rid, count, amount in rows
        ]
        if len(lines) > 1:
            lines.append([_("All"), orders, revenue, figures.average(revenue, orders), figures.share(revenue, revenue)])
        return Table(
            "restaurants",
            _("Revenue per restaurant"),
            [
                (_("Restaurant"), TEXT),
                (_("Orders"), COUNT),
                (_("Revenue"), MONEY),
                (_("Average basket"), MONEY),
                (_("Share of revenue"), PERCENT),
            ],
            lines,
            chart={
                "type": "bar",
                "labels": [self.names[row[0]] for row in rows],
                "datasets": [{"label": _("Revenue (€)"), "data": [_float(row[2]) for row in rows]}],
            },
        )

    def _split_table(self, slug, title, key, label_title, labels):
        rows = self._by_channel if key == "channel" else figures.by_key(self.ids, self.start, self.end, key)
        totals = {}
        for rid, _value, _orders, amount in rows:
            totals[rid] = totals.get(rid, Decimal("0")) + amount
        values = list(labels)
        return Table(
            slug,
            title,
            [
                (_("Restaurant"), TEXT),
                (label_title, TEXT),
                (_("Orders"), COUNT),
                (_("Revenue"), MONEY),
                (_("Average basket"), MONEY),
                (_("Share of the restaurant's revenue"), PERCENT),
            ],
            [
                [
                    self.names[rid],
                    str(labels.get(value, value)),
                    count,
                    amount,
                    figures.average(amount, count),
                    figures.share(amount, totals[rid]),
                ]
                for rid, value, count, amount in rows
            ],
            chart={
                "type": "bar",
                "stacked": True,
                "labels": [self.names[rid] for rid in dict.fromkeys(row[0] for row in rows)],
                "datasets": [
                    {
                        "label": str(labels[value]),
                        "data": [
                            _float(next((r[3] for r in rows if r[0] == rid and r[1] == value), 0))
                            for rid in dict.fromkeys(row[0] for row in rows)
                        ],
                    }
                    for value in values
                ],
            },
        )

    def channels_table(self):
        return self._split_table(
            "channels",
            _("Per channel"),
            "channel",
            _("Channel"),
            dict(Order.Channel.choices),
        )

    def payments_table(self):
        return self._split_table(
            "payments",
            _("Per payment method"),
            "payment_method",
            _("Payment method"),
            dict(Order.PaymentMethod.choices),
        )

    def days_table(self):
        rows = figures.by_key(self.ids, self.start, self.end, "day")
        days = [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]
        found = {(rid, day): amount for rid, day, _count, amount in rows}
        return Table(
            "days",
            _("Per day"),
            [
                (_("Restaurant"), TEXT),
                (_("Day"), DAY),
                (_("Orders"), COUNT),
                (_("Revenue"), MONEY),
                (_("Average basket"), MONEY),
            ],
            [[self.names[rid], day, count, amount, figures.average(amount, count)] for rid, day, count, amount in rows],
            chart={
                "type": "line",
                "labels": [date_format(day, "j M") for day in days],
                "datasets": [
                    {"label": self.names[rid], "data": [_float(found.get((rid, day), 0)) for day in days]}
                    for rid in dict.fromkeys(row[0] for row in rows)
                ],
            },
        )

    def products_table(self):
        merged = {}  # the restaurants' rows added up, per product and size
        for _rid, product, size, size_id, quantity, amount in self._lines:
            key = (product, size, size_id)
            before = merged.get(key, (0, Decimal("0.00")))
            merged[key] = (before[0] + quantity, before[1] + amount)
        rows = sorted(merged.items(), key=lambda item: (-item[1][0], item[0][0], item[0][1]))
        costs = self._recipe_costs
        revenue = sum((amount for _key, (_quantity, amount) in rows), Decimal("0.00"))
        lines = []
        for (product, size, size_id), (quantity, amount) in rows:
            unit_cost = to_money(costs[size_id]) if size_id in costs else None
            food_cost = to_money(costs[size_id] * quantity) if size_id in costs else None
            lines.append(
                [
                    product,
                    size,
                    quantity,
                    amount,
                    figures.share(amount, revenue),
                    figures.average(amount, quantity),
                    unit_cost,
                    food_cost,
                    figures.share(food_cost, amount) if food_cost is not None else None,
                ]
            )
        top = lines[:12]
        return Table(
            "products",
            _("Product mix and food cost"),
            [
                (_("Product"), TEXT),
                (_("Size"), TEXT),
                (_("Sold"), COUNT),
                (_("Revenue"), MONEY),
                (_("Share of revenue"), PERCENT),
                (_("Average price"), MONEY),
                (_("Ingredients per unit"), MONEY),
                (_("Food cost"), MONEY),
                (_("Food cost / revenue"), PERCENT),
            ],
            lines,
            chart={
                "type": "bar",
                "horizontal": True,
                "labels": [f"{line[0]} {line[1]}".strip() for line in top],
                "datasets": [{"label": _("Sold"), "data": [line[2] for line in top]}],
            },
            note=_(
                "Ingredients per unit: today's recipe at today's ingredient costs. A product without a recipe "
                "shows no food cost."
            ),
        )

    def hours_table(self):
        rows = figures.heatmap(self.ids, self.start, self.end)
        table = Table(
            "hours",
            _("Orders per hour and weekday"),
            [(_("Weekday"), TEXT), (_("Hour"), TEXT), (_("Orders"), COUNT), (_("Revenue"), MONEY)],
            [[str(WEEKDAYS[weekday - 1]), f"{hour:02d}:00", count, amount] for weekday, hour, count, amount in rows],
        )
        # The heatmap on screen: weekdays × the hours that had orders, each cell shaded 0-5 by its share of the busiest.
        counts = {(weekday, hour): count for weekday, hour, count, _amount in rows}
        hours = sorted({hour for _weekday, hour in counts})
        busiest = max(counts.values(), default=0)
        table.grid = {
            "hours": [f"{hour:02d}" for hour in hours],
            "rows": [
                (
                    str(WEEKDAYS[weekday - 1]),
                    [
                        (counts.get((weekday, hour), 0), -(-5 * counts.get((weekday, hour), 0) // busiest))
                        for hour in hours
                    ],
                )
                for weekday in range(1, 8)
            ],
        }
        return table

    def times_table(self):
        found = figures.step_times(self.ids, self.start, self.end)
        rows = [[self.names[rid], *found[rid]] for rid in self.ids if rid in found]
        return Table(
            "times",
            _("Preparation and delivery times"),
            [
                (_("Restaurant"), TEXT),
                (_("Orders prepared"), COUNT),
                (_("Preparation, median (min)"), MINUTES),
                (_("Preparation, 90th percentile (min)"), MINUTES),
                (_("Orders delivered"), COUNT),
                (_("Delivery, median (min)"), MINUTES),
                (_("Delivery, 90th percentile (min)"), MINUTES),
            ],
            rows,
            chart={
                "type": "bar",
                "labels": [row[0] for row in rows],
                "datasets": [
                    {"label": _("Preparation, median (min)"), "data": [_float(row[2]) for row in rows]},
                    {"label": _("Preparation, 90th percentile (min)"), "data": [_float(row[3]) for row in rows]},
                    {"label": _("Delivery, median (min)"), "data": [_float(row[5]) for row in rows]},
                    {"label": _("Delivery, 90th percentile (min)"), "data": [_float(row[6]) for row in rows]},
                ],
            },
            note=_(
                "Preparation: from “in preparation” to “ready”. Delivery: from “out for delivery” to “delivered”. "
                "Read from each order's status history."
            ),
        )

    def costs_table(self):
        losses = figures.stock_losses(self.ids, self.start, self.end)
        revenue = {rid: amount for rid, _count, amount in self._by_restaurant}
        used = {}
        for rid, _product, _size, size_id, quantity, _amount in self._lines:
            used[rid] = used.get(rid, Decimal("0")) + self._recipe_costs.get(size_id, Decimal("0")) * quantity
        rows = []
        zero = Decimal("0.00")
        for rid in self.ids:
            if rid not in losses and rid not in revenue:
                continue
            waste, loss = losses.get(rid, (zero, zero))
            food = to_money(used.get(rid, zero))
            lost = waste + max(loss, zero)
            rows.append(
                [
                    self.names[rid],
                    revenue.get(rid, zero),
                    food,
                    figures.share(food, revenue.get(rid)),
                    waste,
                    loss,
                    figures.share(lost, food + lost),
                ]
            )
        missing = figures.uncosted_ingredients(self.ids)
        note = _(
            "Food cost: the products sold times their recipes. Waste: what was recorded as waste on the stock "
            "screen. Inventory loss: what inventory counts found missing. At today's ingredient costs."
        )
        if missing:
            note += " " + _("No cost entered yet for: %(names)s.") % {"names": ", ".join(missing)}
        return Table(
            "costs",
            _("Food cost and waste"),
            [
                (_("Restaurant"), TEXT),
                (_("Revenue"), MONEY),
                (_("Food cost"), MONEY),
                (_("Food cost / revenue"), PERCENT),
                (_("Waste"), MONEY),
                (_("Inventory loss"), MONEY),
                (_("Waste and loss / ingredients used"), PERCENT),
            ],
            rows,
            chart={
                "type": "bar",
                "stacked": True,
                "labels": [row[0] for row in rows],
                "datasets": [
                    {"label": _("Food cost"), "data": [_float(row[2]) for row in rows]},
                    {"label": _("Waste"), "data": [_float(row[4]) for row in rows]},
                    {"label": _("Inventory loss"), "data": [_float(row[5]) for row in rows]},
                ],
            },
            note=note,
        )


TABLES = {
    "restaurants": Report.restaurants_table,
    "days": Report.days_table,
    "channels": Report.channels_table,
    "payments": Report.payments_table,
    "hours": Report.hours_table,
    "products": Report.products_table,
    "costs": Report.costs_table,
    "times": Report.times_table,
}
# The report's pages (each under a second over a year of 8 restaurants: bench/reports.py), by URL word.
SECTIONS = {
    "ventes": (gettext_lazy("Sales"), ["restaurants", "days", "channels", "payments", "hours"]),
    "produits": (gettext_lazy("Products, food cost and waste"), ["products", "costs"]),
    "temps": (gettext_lazy("Preparation and delivery times"), ["times"]),
}


def _report(request):
    """(query form, Report) for this person's restaurants, or (form, HttpResponse) refusing the request."""
    restaurants = list(restaurants_allowed(request.user, "dashboard").order_by("title"))
    if not restaurants:
        return None, forbidden()
    query = ReportQuery(request.GET, restaurants=restaurants)
    if not query.is_valid():
        return query, render(request, "ordering/staff/bad_query.html", {"form": query}, status=400)
    data = query.cleaned_data
    return query, Report(data["restaurants"], data["start"], data["end"])


def sales(request, section="ventes"):
    if section not in SECTIONS:
        raise Http404
    query, report = _report(request)
    if isinstance(report, HttpResponse):
        return report
    title, slugs = SECTIONS[section]
    tables = [TABLES[slug](report) for slug in slugs]
    return render(
        request,
        "ordering/staff/sales_report.html",
        {
            "form": query,
            "report": report,
            "section": section,
            "section_title": title,
            "sections": [(word, name) for word, (name, _slugs) in SECTIONS.items()],
            "tables": tables,
            "charts": {table.slug: table.chart for table in tables if table.chart and table.rows},
            "query": request.GET.urlencode(),
        },
    )


def _export(request, table, extension):
    if table not in TABLES:
        raise Http404
    _query, report = _report(request)
    if isinstance(report, HttpResponse):
        return report
    found = TABLES[table](report)
    header = [str(title) for title, _kind in found.columns]
    name = f"{table}-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.{extension}"
    if extension == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(header)
        for row in found.rows:
            writer.writerow([_csv_value(value) for value in row])
    else:
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        _write_xlsx(response, found, header)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return _cell(value)
    return str(value)


def _write_xlsx(response, table, header):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.slug)
    sheet.append(header)
    for row in table.rows:
        # Text never becomes a formula; numbers, amounts and days stay numbers and dates.
        sheet.append([_cell(value) if isinstance(value, str) else value for value in row])
    book.save(response)


def sales_csv(request, table):
    return _export(request, table, "csv")


def sales_xlsx(request, table):
    return _export(request, table, "xlsx")
