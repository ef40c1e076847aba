"""Property-based, through the order services on PostgreSQL: whatever the basket, the
promotion and the loyalty card, an order placed then changed keeps total = sum of its
lines + delivery − its discount lines, never negative, in cents; cancelling gives the
promotion's use and the stamps back. Each example runs in a savepoint rolled back."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offers.models import OffersSettings, Promotion, Redemption, StampCard, StampEntry
from ordering.exceptions import OrderError
from ordering.services import OrderDetails, cancel_by_customer, change_order, place_order
from ordering.workflow import Fulfilment
from tests.conftest import size_of
from tests.offers.helpers import promotion

pytestmark = pytest.mark.django_db
PRODUCTS = [("margherita", None), ("reine", "Méga 40 cm"), ("coca-cola", None), ("tiramisu", None)]
baskets = st.dictionaries(st.sampled_from(range(len(PRODUCTS))), st.integers(1, 4), min_size=1)
kinds = st.sampled_from(Promotion.Kind.values)
values = st.sampled_from(["5", "10", "14", "50", "100"])


class Rollback(Exception):
    pass


def quantities(basket):
    return {size_of(*PRODUCTS[index]).pk: n for index, n in basket.items()}


def assert_books(order):
    order.refresh_from_db()
    lines = sum((line.line_total for line in order.lines.all()), Decimal("0"))
    discounts = sum((d.amount for d in order.discounts.all()), Decimal("0"))
    assert order.subtotal == lines and order.discount == discounts
    assert order.total == lines + order.delivery_fee - discounts
    assert order.total >= 0 and order.total == order.total.quantize(Decimal("0.01"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=baskets, second=baskets, kind=kinds, value=values, stamps=st.sampled_from([0, 10]), pickup=st.booleans())
def test_orders_with_offers_keep_their_books(bastille, first, second, kind, value, stamps, pickup):
    try:
        with transaction.atomic():
            OffersSettings.load()
            customer = get_user_model().objects.create_user("prop", "prop@example.fr", "x")
            if stamps:
                card = StampCard.objects.create(user=customer, stamps=stamps)
                StampEntry.objects.create(card=card, delta=stamps, reason=StampEntry.Reason.EARNED)
            promotion(code="PROP", kind=kind, value=value if kind != Promotion.Kind.PERCENT else "10")
            details = OrderDetails(
                fulfilment=Fulfilment.PICKUP if pickup else Fulfilment.DELIVERY,
                name="Prop",
                phone="0612345678",
                email="prop@example.fr",
                customer=customer,
                promo_code="PROP",
                **({} if pickup else {"street_address": "1 rue", "postcode": "75011", "city": "Paris"}),
            )
            try:
                order = place_order(bastille, quantities(first), details)
            except OrderError:
                raise Rollback from None  # refused (minimum, a code with nothing to apply to): nothing written
            assert_books(order)
            try:
                order = change_order(order, quantities(second))
            except OrderError:
                pass
            assert_books(order)
            cancel_by_customer(order)
            assert not Redemption.objects.filter(order=order).exists()
            card = StampCard.objects.filter(user=customer).first()
            if card is not None:
                assert card.stamps == stamps == sum(card.entries.values_list("delta", flat=True))
            raise Rollback
    except Rollback:
        pass
