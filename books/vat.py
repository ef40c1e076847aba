"""French VAT on VAT-inclusive prices, in Decimal (core.money rounds).

A line's gross (what the customer pays, VAT included) splits into net and VAT at
its rate: net = gross / (1 + rate), rounded half-up to the cent, and VAT = gross - net,
so that net + VAT is always exactly the gross. Totals per rate are the sums of the
lines' own amounts, so the receipt, the order and the journal add up to the cent.
Any line with a rate takes part (products, the delivery fee, discounts: negative).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from core.money import to_money

from .models import FulfilmentScope, LegalDetails, VatRate

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Split:
    gross: Decimal
    net: Decimal
    vat: Decimal


def split(gross, rate) -> Split:
    """A VAT-inclusive amount at `rate` percent -> gross, net, VAT (net + VAT == gross)."""
    gross, rate = to_money(gross), Decimal(rate)
    if rate < 0 or rate > HUNDRED:
        raise ValueError(f"VAT rate out of range: {rate}")
    net = to_money(gross * HUNDRED / (HUNDRED + rate))
    return Split(gross=gross, net=net, vat=gross - net)


def rate_key(rate) -> str:
    """The canonical text of a rate ("10.00"), the key of every breakdown."""
    return f"{Decimal(rate).quantize(Decimal('0.01'))}"


def breakdown(items):
    """{rate_key: {"gross", "net", "vat"}} from (rate, net, vat) or objects with
    vat_rate / net_amount / vat_amount; rates in increasing order."""
    sums = defaultdict(lambda: {"gross": ZERO, "net": ZERO, "vat": ZERO})
    for item in items:
        rate, net, vat = item if isinstance(item, tuple) else (item.vat_rate, item.net_amount, item.vat_amount)
        if rate is None:
            continue
        row = sums[rate_key(rate)]
        row["net"] += net
        row["vat"] += vat
        row["gross"] += net + vat
    return {key: sums[key] for key in sorted(sums, key=Decimal)}


def legal_details():
    return LegalDetails.load()


def rates_for(category_ids, fulfilment, details=None):
    """{category_id: rate} for this fulfilment: the category's rate for it, else its
    rate for both, else the default rate of the legal details."""
    details = details or legal_details()
    found = {}
    rows = VatRate.objects.filter(
        category_id__in=set(category_ids), fulfilment__in=[fulfilment, FulfilmentScope.ANY]
    ).values_list("category_id", "fulfilment", "rate")
    for category_id, _scope, rate in sorted(rows, key=lambda row: row[1] == fulfilment):
        found[category_id] = rate  # the fulfilment's own rate comes last and wins
    return {category_id: found.get(category_id, details.default_vat_rate) for category_id in set(category_ids)}


def delivery_rate(details=None):
    return (details or legal_details()).delivery_vat_rate


def order_items(order):
    """(rate, net, VAT) of every line of the order with a rate, the delivery fee included,
    less the offers' discount (Order.discount) shared out between the rates."""
    items = [(line.vat_rate, line.net_amount, line.vat_amount) for line in order.lines.all()]
    if order.delivery_fee and order.delivery_vat_rate is not None:
        items.append((order.delivery_vat_rate, order.delivery_net, order.delivery_vat))
    discount = getattr(order, "discount", None) or ZERO
    return items + discount_items(items, discount) if discount else items


def discount_items(items, discount):
    """A discount taken off each rate in proportion to what it weighs (the last rate takes
    the rounding), as negative (rate, net, VAT): the books then sum to the order's total."""
    gross, rates = defaultdict(lambda: ZERO), {}
    for rate, net, vat in items:
        if rate is not None:
            gross[rate_key(rate)] += net + vat
            rates[rate_key(rate)] = rate
    whole = sum(gross.values(), ZERO)
    if not whole:
        return []
    discount = min(to_money(discount), whole)
    left, credits = discount, []
    keys = sorted(gross, key=Decimal)
    for index, key in enumerate(keys):
        share = left if index == len(keys) - 1 else min(to_money(discount * gross[key] / whole), left)
        left -= share
        if share:
            part = split(share, rates[key])
            credits.append((rates[key], -part.net, -part.vat))
    return credits


def order_breakdown(order):
    """The order's totals per rate: {rate_key: {"gross", "net", "vat"}}."""
    return breakdown(order_items(order))


def rate_label(rate) -> str:
    """10.00 -> "10 %", 5.50 -> "5,5 %" in French (the active language decides the separator)."""
    from django.utils.formats import number_format

    rate = Decimal(rate)
    shown = rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()
    return f"{number_format(shown, use_l10n=True)}\u00a0%"
