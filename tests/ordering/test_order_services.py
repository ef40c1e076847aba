"""Order services: checkout keys per restaurant."""

import pytest

from home.models import RestaurantPage
from ordering.models import Order
from ordering.services import OrderDetails, place_order
from ordering.workflow import Fulfilment
from tests.conftest import make_always_open, size_of

pytestmark = pytest.mark.django_db


def details():
    return OrderDetails(fulfilment=Fulfilment.PICKUP, name="Léa", phone="0612345678", email="lea@example.fr")


def test_a_checkout_key_never_returns_another_restaurants_order(bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    make_always_open(nation)
    key = "k" * 32
    first = place_order(bastille, {size_of("reine").pk: 1}, details(), checkout_key=key)
    assert place_order(bastille, {size_of("reine").pk: 1}, details(), checkout_key=key) == first  # double submit
    other = place_order(nation, {size_of("reine").pk: 2}, details(), checkout_key=key)
    assert other != first and other.restaurant == nation and other.lines.get().quantity == 2
    assert Order.objects.count() == 2
