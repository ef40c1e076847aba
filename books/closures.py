"""Daily and monthly closures (Z reports) of a restaurant, made from the journal
alone and signed into its chain (the closure is itself an entry)."""

import calendar
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import to_money

from . import journal
from .exceptions import ClosureError
from .models import Closure, JournalEntry

Kind = JournalEntry.Kind
ZERO = Decimal("0.00")
MAX_CASH = Decimal("1000000")


def totals_of(rows):
    """Totals of journal entries [(kind, payload)]: per VAT rate, channel and payment method."""
    by_rate, by_channel, by_method = {}, {}, {}
    counts = {"sales": 0, "cancellations": 0, "payments": 0, "refunds": 0}
    for kind, payload in rows:
        if kind in journal.SALES_KINDS:
            journal.add_rates(by_rate, payload["by_rate"])
            if "channel" in payload:
                by_channel[payload["channel"]] = by_channel.get(payload["channel"], ZERO) + Decimal(payload["total"])
            if kind == Kind.SALE:
                counts["sales"] += 1
            elif kind == Kind.CANCELLATION:
                counts["cancellations"] += 1
        elif kind in journal.MONEY_KINDS:
            method = payload["method"]
            by_method[method] = by_method.get(method, ZERO) + Decimal(payload["amount"])
            counts["payments" if kind == Kind.PAYMENT else "refunds"] += 1
    gross = sum((row["gross"] for row in by_rate.values()), ZERO)
    return {
        "by_rate": {
            rate: {part: str(to_money(v)) for part, v in by_rate[rate].items()} for rate in sorted(by_rate, key=Decimal)
        },
        "by_channel": {channel: str(to_money(v)) for channel, v in sorted(by_channel.items())},
        "by_method": {method: str(to_money(v)) for method, v in sorted(by_method.items())},
        "gross": str(to_money(gross)),
        "counts": counts,
    }


def _entries(restaurant, start, end):
    return (
        JournalEntry.objects.filter(
            restaurant_id=restaurant.pk,
            day__gte=start,
            day__lte=end,
            kind__in=(*journal.SALES_KINDS, *journal.MONEY_KINDS),
        )
        .order_by("sequence")
        .values_list("kind", "payload")
    )


def parse_cash(raw):
    """Cash counted as typed ("152,30" or "152.30") -> Decimal, or ClosureError."""
    text = (raw or "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if len(text) > 12 or not all(c.isdigit() or c == "." for c in text) or text.count(".") > 1 or text == ".":
        raise ClosureError(_("Type the cash counted as an amount, e.g. 152,30."))
    amount = to_money(text)
    if amount >= MAX_CASH:
        raise ClosureError(_("Type the cash counted as an amount, e.g. 152,30."))
    return amount


def _close(restaurant, period, start, end, cash_counted, by, today):
    today = today or timezone.localdate()
    if end >= today:
        raise ClosureError(_("A period is closed once it is over."))
    with transaction.atomic():
        head = journal.lock_head(restaurant.pk)  # no entry joins the chain while we add up
        if Closure.objects.filter(restaurant_id=restaurant.pk, period=period, start=start).exists():
            raise ClosureError(_("This period is already closed."))
        totals = totals_of(_entries(restaurant, start, end))
        cash_expected = Decimal(totals["by_method"].get("cash", "0.00"))
        if period == Closure.Period.MONTH and cash_counted is None:
            days = Closure.objects.filter(
                restaurant_id=restaurant.pk, period=Closure.Period.DAY, start__gte=start, start__lte=end
            ).exclude(cash_counted=None)
            counted = [day.cash_counted for day in days]
            cash_counted = sum(counted, ZERO) if counted else None
        payload = {
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "totals": totals,
            "cash_expected": str(cash_expected),
            "cash_counted": None if cash_counted is None else str(cash_counted),
            "up_to_sequence": head.sequence,
            "up_to_hash": head.hash,
        }
        kind = Kind.DAY_CLOSURE if period == Closure.Period.DAY else Kind.MONTH_CLOSURE
        entry = journal.append(restaurant.pk, kind, payload)
        return Closure.objects.create(
            restaurant_id=restaurant.pk,
            period=period,
            start=start,
            end=end,
            totals=totals,
            cash_expected=cash_expected,
            cash_counted=cash_counted,
            entry=entry,
            created_by=by,
        )


def close_day(restaurant, day: date, cash_counted=None, by=None, today=None):
    """The day's Z report: refused before the day is over, and a second time."""
    return _close(restaurant, Closure.Period.DAY, day, day, cash_counted, by, today)


def close_month(restaurant, year: int, month: int, by=None, today=None):
    """The month's Z report (cash counted: the sum of its days' counts)."""
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    return _close(restaurant, Closure.Period.MONTH, start, end, None, by, today)
