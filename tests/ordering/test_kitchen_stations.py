"""The board's stations (oven, preparation, drinks and desserts), the "à préparer"
totals against figures worked out by hand from the demo recipes, and the query
counts of the board's partials (they do not grow with the orders)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.models import RestaurantPage
from ordering.services import OrderDetails, place_order, transition
from ordering.staff.stations import format_quantity, to_prepare
from ordering.workflow import Fulfilment, Status
from tests.conftest import size_of
from tests.ordering.test_staff import login

pytestmark = pytest.mark.django_db

PARTIALS = ["colonnes/", "four/colonnes/", "preparation/colonnes/", "boissons-desserts/colonnes/"]


def place(restaurant, quantities, fulfilment=Fulfilment.PICKUP, **extra):
    details = OrderDetails(
        fulfilment=fulfilment,
        name="Léa",
        phone="0612345678",
        email="lea@example.fr",
        street_address="1 rue de Lappe",
        postcode="75011",
        city="Paris",
        **extra,
    )
    return place_order(restaurant, {size_of(slug, label).pk: n for (slug, label), n in quantities.items()}, details)


REINE_JUNIOR, MARGHERITA_SENIOR, COCA = ("reine", "Junior 26 cm"), ("margherita", "Sénior 33 cm"), ("coca-cola", None)


@pytest.fixture
def friday(bastille):
    """Two orders due now, one for later tonight, one already in the oven, one at Nation."""
    # A delivery "as soon as possible" is promised at its oven slot's time plus the ride (ordering.capacity):
    # this one asked for a time within the next 30 minutes.
    soon = place(
        bastille,
        {REINE_JUNIOR: 2, COCA: 1},
        fulfilment=Fulfilment.DELIVERY,
        requested_for=timezone.now() + timedelta(minutes=25),
    )
    pickup = place(bastille, {MARGHERITA_SENIOR: 3})
    later = place(bastille, {MARGHERITA_SENIOR: 5}, requested_for=timezone.now() + timedelta(hours=2))
    baking = place(bastille, {REINE_JUNIOR: 4})
    transition(baking, Status.IN_PREPARATION)
    place(RestaurantPage.objects.get(slug="nation"), {MARGHERITA_SENIOR: 7})
    return soon, pickup, later, baking


def test_to_prepare_sums_the_recipes_of_the_next_thirty_minutes(friday, bastille):
    with CaptureQueriesContext(connection) as queries:
        totals = to_prepare(bastille)
    assert len(queries) == 2  # one aggregate per list, whatever the number of orders
    # Not started and due within 30 min: 2 Reine Junior and 3 Margherita Sénior (the can is not made).
    assert totals["sizes"] == [(3, "Sénior 33 cm"), (2, "Junior 26 cm")]
    ingredients = {name: quantity for quantity, name in totals["ingredients"]}
    assert ingredients == {
        "Pâte à pizza": "1,1 kg",  # 2 × 187.5 g + 3 × 250 g = 1125 g
        "Mozzarella": "540 g",  # 2 × 90 + 3 × 120
        "Sauce tomate": "360 g",  # 2 × 60 + 3 × 80
        "Jambon blanc": "120 g",  # 2 × 60
        "Champignons": "90 g",  # 2 × 45
        "Basilic frais": "15 g",  # 3 × 5
        "Huile d'olive": "30 ml",  # 3 × 10
    }


def test_a_fourteen_pizza_rush(bastille):
    place(bastille, {MARGHERITA_SENIOR: 14})
    totals = to_prepare(bastille)
    assert totals["sizes"] == [(14, "Sénior 33 cm")]
    assert ("1,7 kg", "Mozzarella") in totals["ingredients"]  # 14 × 120 g = 1680 g
    assert ("3,5 kg", "Pâte à pizza") in totals["ingredients"]


def test_quantities_read_like_a_kitchen_speaks():
    assert format_quantity(2100, "g") == "2,1 kg"
    assert format_quantity(2000, "g") == "2 kg"
    assert format_quantity(1500, "ml") == "1,5 L"
    assert format_quantity(90, "g") == "90 g"
    assert format_quantity(3, "piece") == "3"


def test_the_preparation_station_shows_the_totals_and_the_recipes(client, friday, bastille):
    soon, pickup, later, baking = friday
    login(client, "pizzaiolo-bastille")
    page = client.get(f"/admin/cuisine/{bastille.pk}/preparation/").content.decode()
    assert "À préparer (30 prochaines minutes)" in page and "1,1 kg" in page
    assert soon.number in page and baking.number in page and later.number in page
    assert "Coca-Cola" not in page  # drinks have their own station
    assert page.count("<summary>Recette</summary>") == 4  # one per pizza line


def test_the_oven_shows_what_is_in_preparation_without_recipes(client, friday, bastille):
    soon, pickup, later, baking = friday
    login(client, "pizzaiolo-bastille")
    page = client.get(f"/admin/cuisine/{bastille.pk}/four/").content.decode()
    assert baking.number in page and soon.number not in page
    assert "<summary>Recette</summary>" not in page and "Prête" in page


def test_drinks_and_desserts_by_category_with_no_recipe_and_no_button(client, friday, bastille):
    soon, pickup, later, baking = friday
    login(client, "pizzaiolo-bastille")
    page = client.get(f"/admin/cuisine/{bastille.pk}/boissons-desserts/").content.decode()
    assert soon.number in page and pickup.number not in page  # only orders with a drink or a dessert
    assert '<h3 class="ticket__category">Boissons</h3>' in page and "Coca-Cola" in page and "Reine" not in page
    assert "<summary>Recette</summary>" not in page and "data-move" not in page


def test_the_whole_board_has_no_recipe_toggle_for_a_drink_and_names_take_away_customers(client, friday, bastille):
    soon, pickup, later, baking = friday
    login(client, "pizzaiolo-bastille")
    page = client.get(f"/admin/cuisine/{bastille.pk}/colonnes/").content.decode()
    assert page.count("<summary>Recette</summary>") == 4  # one per pizza line; the can of soda has none
    assert page.count('<span class="ticket__customer">Léa</span>') == 3  # the three take-away orders
    assert f'data-order-id="{soon.pk}"' in page and "data-ticket-version=" in page


def test_an_unknown_station_is_not_found(client, bastille):
    login(client, "pizzaiolo-bastille")
    assert client.get(f"/admin/cuisine/{bastille.pk}/cave/").status_code == 404


@pytest.mark.parametrize("partial", PARTIALS)
def test_board_partials_queries_do_not_grow_with_orders(client, bastille, partial):
    login(client, "pizzaiolo-bastille")
    url = f"/admin/cuisine/{bastille.pk}/{partial}"
    place(bastille, {REINE_JUNIOR: 1, COCA: 1})
    transition(place(bastille, {REINE_JUNIOR: 1, COCA: 1}), Status.IN_PREPARATION)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        order = place(bastille, {REINE_JUNIOR: 2, MARGHERITA_SENIOR: 1, COCA: 2})
        transition(order, Status.IN_PREPARATION)
        place(bastille, {MARGHERITA_SENIOR: 1, COCA: 1})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count('<article class="ticket') >= 6
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
