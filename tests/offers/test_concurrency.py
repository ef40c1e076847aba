"""Against PostgreSQL, with real concurrent transactions: a promotion's usage limits,
overall and per customer, are never exceeded (its row is locked while uses are counted)."""

from decimal import Decimal

from home.models import RestaurantPage
from offers.models import Redemption
from ordering.exceptions import OrderError, PromoCodeRefused
from ordering.models import Order
from ordering.services import OrderDetails, place_order
from ordering.workflow import Fulfilment
from tests.conftest import committed_db, size_of
from tests.offers.helpers import promotion
from tests.ordering.test_concurrency import run_at_once

pytestmark = committed_db
CLIENTS = 12


def details(email, code):
    return OrderDetails(fulfilment=Fulfilment.PICKUP, name="Client", phone="0612345678", email=email, promo_code=code)


def order_with(restaurant, email, code):
    margherita = size_of("margherita")
    return lambda: place_order(RestaurantPage.objects.get(pk=restaurant.pk), {margherita.pk: 1}, details(email, code))


def test_twelve_clients_race_for_the_last_five_uses(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    promo = promotion(code="CINQ", max_uses=5)
    results = run_at_once([order_with(restaurant, f"c{n}@example.fr", "CINQ") for n in range(CLIENTS)])
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, PromoCodeRefused)]
    assert len(placed) == 5 and len(refused) == CLIENTS - 5, results
    assert Redemption.objects.filter(promotion=promo).count() == 5
    assert all(o.discount == Decimal("0.95") and o.total == Decimal("8.55") for o in placed)
    assert all("autant de fois" in str(error) for error in refused)


def test_one_customer_racing_with_a_once_per_customer_code(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    promo = promotion(code="UNEFOIS", max_uses_per_customer=1)
    results = run_at_once([order_with(restaurant, "same@example.fr", "UNEFOIS") for _n in range(CLIENTS)])
    placed = [r for r in results if isinstance(r, Order)]
    assert len(placed) == 1, results
    assert all(isinstance(r, OrderError) for r in results if not isinstance(r, Order))
    assert Redemption.objects.filter(promotion=promo).count() == 1
    assert Order.objects.filter(restaurant=restaurant).count() == 1


def test_a_full_card_gives_one_free_pizza_to_racing_orders(demo_committed):
    from django.contrib.auth import get_user_model

    from offers.models import OrderDiscount, StampCard, StampEntry

    restaurant = RestaurantPage.objects.get(slug="bastille")
    customer = get_user_model().objects.create_user("fidele", "fidele@example.fr", "x")
    card = StampCard.objects.create(user=customer, stamps=10)
    StampEntry.objects.create(card=card, delta=10, reason=StampEntry.Reason.EARNED)
    margherita = size_of("margherita")

    def order(n):
        details_ = OrderDetails(
            fulfilment=Fulfilment.PICKUP,
            name="Fidèle",
            phone="0612345678",
            email="fidele@example.fr",
            customer=customer,
        )
        return lambda: place_order(RestaurantPage.objects.get(pk=restaurant.pk), {margherita.pk: 1}, details_)

    results = run_at_once([order(n) for n in range(6)])
    assert all(isinstance(r, Order) for r in results), results
    assert OrderDiscount.objects.filter(stamps=10).count() == 1
    assert sorted(r.total for r in results) == [Decimal("0.00")] + [Decimal("9.50")] * 5
    card.refresh_from_db()
    assert card.stamps == 0 and sum(card.entries.values_list("delta", flat=True)) == 0


def test_a_double_submission_with_the_last_use_gives_one_order(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    promotion(code="DERNIER", max_uses=1)
    margherita = size_of("margherita")

    def submit():
        return place_order(
            RestaurantPage.objects.get(pk=restaurant.pk),
            {margherita.pk: 1},
            details("double@example.fr", "DERNIER"),
            checkout_key="d" * 32,
        )

    results = run_at_once([submit for _n in range(6)])
    assert all(isinstance(r, Order) for r in results), results
    assert len({r.pk for r in results}) == 1 and results[0].discount == Decimal("0.95")
    assert Redemption.objects.count() == 1
