"""Money is Decimal euros everywhere; this is the single place that rounds and formats it."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")
NBSP = "\u00a0"


def to_money(value) -> Decimal:
    """Round to the cent, the way a till does (half up)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(value) -> str:
    """12.5 -> "12,50 €" in French (the active language decides the separators)."""
    amount = number_format(to_money(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{amount}{NBSP}€"
