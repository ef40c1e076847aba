"""Promotions for the offers tests, published as marketing would."""

from decimal import Decimal

from offers.models import Promotion


def promotion(name="Promo", code="", kind=Promotion.Kind.PERCENT, value="10", **fields):
    """A live promotion (published, its first revision saved, as the editor's "Publish" does)."""
    promo = Promotion(name=name, code=code, kind=kind, value=Decimal(value), **fields)
    promo.full_clean()
    promo.save()
    promo.save_revision().publish()
    promo.refresh_from_db()
    return promo
