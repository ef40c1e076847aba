"""Against PostgreSQL, with real concurrent transactions: customised pizzas racing for the
last of a topping never oversell it, and the plain pizzas (which do not use it) still go."""

from decimal import Decimal

from home.models import Option, RestaurantPage
from ordering.exceptions import OrderError
from ordering.models import Order, Stock
from ordering.options import LineSpec
from tests.conftest import committed_db, make_always_open, size_of
from tests.ordering.test_concurrency import assert_ledgers_balance, details, run_at_once, set_level

pytestmark = committed_db
CLIENTS = 12
LARDONS_PER_SENIOR = Decimal("40")


def test_clients_racing_for_the_last_topping_never_oversell_it(demo_committed):
    from ordering.services import place_order

    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    lardons = Stock.objects.get(restaurant=restaurant, ingredient__name="Lardons")
    set_level(lardons, LARDONS_PER_SENIOR * 3)  # enough for exactly three toppings
    reine = size_of("reine", "Sénior 33 cm")
    four = size_of("quatre-fromages", "Sénior 33 cm")
    with_lardons = LineSpec(reine.pk, four.pk, (Option.objects.get(name="Lardons").pk,)).key

    def order(n):
        lines = {with_lardons: 1} if n % 2 == 0 else {reine.pk: 1}  # half of them want the topping
        return lambda: place_order(RestaurantPage.objects.get(pk=restaurant.pk), lines, details(n))

    results = run_at_once([order(n) for n in range(CLIENTS)])
    placed = [r for r in results if isinstance(r, Order)]
    refused = [(n, r) for n, r in enumerate(results) if isinstance(r, OrderError)]
    assert len(placed) == CLIENTS - 3 and len(refused) == 3, results
    assert all(n % 2 == 0 for n, _error in refused)  # only topping orders are refused
    assert Stock.objects.get(pk=lardons.pk).quantity == 0
    assert sum(1 for order in placed if order.lines.filter(options_key=with_lardons).exists()) == 3
    assert_ledgers_balance(restaurant)
