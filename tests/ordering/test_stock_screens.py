"""Stock through the staff screens: the ledger always sums to the level; what can be made, by hand."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from ordering.models import QUANTITY, Stock, StockMovement
from ordering.services import transition
from ordering.staff.forms import AdjustmentForm, RestockForm, ThresholdForm
from ordering.stock import how_many_can_be_made, makeable_counts
from ordering.workflow import Status
from tests.conftest import size_of
from tests.ordering.test_staff import login, order_at

pytestmark = pytest.mark.django_db


def stock(restaurant, name):
    return Stock.objects.get(restaurant=restaurant, ingredient__name=name)


def post(client, restaurant, action, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/admin/cuisine/stock/{restaurant.pk}/", data)


def assert_ledger(restaurant):
    for s in Stock.objects.filter(restaurant=restaurant):
        assert s.movements.aggregate(total=Sum("delta"))["total"] == s.quantity, s.ingredient.name


def test_restock_waste_and_inventory_go_through_the_ledger(client, bastille):
    login(client, "gerant-bastille")
    ham = stock(bastille, "Jambon blanc")
    start = ham.quantity
    assert post(client, bastille, "restock", stock=ham.pk, quantity="2500", note="Metro, BL 4411").status_code == 302
    assert (
        post(
            client, bastille, "adjust", stock=ham.pk, reason="waste", quantity="300", note="chambre froide"
        ).status_code
        == 302
    )
    assert post(client, bastille, "adjust", stock=ham.pk, reason="inventory", quantity="5000").status_code == 302
    ham.refresh_from_db()
    assert ham.quantity == Decimal("5000")
    reasons = list(ham.movements.order_by("pk").values_list("reason", "delta"))[-3:]
    assert reasons == [
        ("restock", Decimal("2500")),
        ("waste", Decimal("-300")),
        ("inventory", Decimal("5000") - (start + 2200)),
    ]
    assert ham.movements.filter(reason="restock").get().created_by.username == "gerant-bastille"
    assert_ledger(bastille)


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": "waste", "quantity": "999999"},  # more than there is
        {"reason": "waste", "quantity": "-5"},
        {"reason": "inventory", "quantity": "abc"},
        {"reason": "steal", "quantity": "1"},
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(client, bastille, fields):
    login(client, "gerant-bastille")
    ham = stock(bastille, "Jambon blanc")
    movements = StockMovement.objects.count()
    response = post(client, bastille, "adjust", stock=ham.pk, **fields)
    assert response.status_code == 400
    assert stock(bastille, "Jambon blanc").quantity == ham.quantity and StockMovement.objects.count() == movements


@pytest.mark.parametrize(
    "username, expected",
    [
        ("gerant-bastille", 200),
        ("pizzaiolo-bastille", 403),
        ("livreur-bastille", 403),
        ("comptoir-bastille", 403),
        ("siege", 403),
        ("pizzaiolo-nation", 403),
    ],
)
def test_stock_screen_is_for_the_restaurants_manager(client, bastille, username, expected):
    login(client, username)
    assert client.get(f"/admin/cuisine/stock/{bastille.pk}/").status_code == expected
    ham = stock(bastille, "Jambon blanc")
    post(client, bastille, "restock", stock=ham.pk, quantity="1")
    assert stock(bastille, "Jambon blanc").quantity == ham.quantity + (1 if expected == 200 else 0)


def test_a_manager_cannot_touch_another_restaurants_stock(client, bastille):
    from home.models import RestaurantPage

    nation = RestaurantPage.objects.get(slug="nation")
    login(client, "gerant-bastille")
    foreign = stock(nation, "Jambon blanc")
    assert post(client, nation, "restock", stock=foreign.pk, quantity="10").status_code == 403
    # nor by slipping another restaurant's stock row into its own screen
    assert post(client, bastille, "restock", stock=foreign.pk, quantity="10").status_code == 400
    assert stock(nation, "Jambon blanc").quantity == foreign.quantity


def test_how_many_can_be_made_by_hand():
    dough, cheese, egg = 1, 2, 3
    recipe = [(dough, Decimal("250")), (cheese, Decimal("120")), (egg, Decimal("1"))]
    assert how_many_can_be_made(recipe, {dough: Decimal("1000"), cheese: Decimal("600"), egg: Decimal("9")}) == 4
    assert how_many_can_be_made(recipe, {dough: Decimal("1000"), cheese: Decimal("359.9"), egg: Decimal("9")}) == 2
    assert how_many_can_be_made(recipe, {dough: Decimal("1000"), cheese: Decimal("600")}) == 0  # no egg at all
    assert how_many_can_be_made([], {}) is None  # nothing tracked: no limit


def test_makeable_counts_follow_the_stock_screen(client, bastille):
    reine_junior = size_of("reine")  # 187.5 g dough, 90 g mozzarella, 60 g ham, 45 g mushrooms, 60 g sauce
    for name, level in (
        ("Pâte à pizza", "1000"),
        ("Mozzarella", "10000"),
        ("Jambon blanc", "10000"),
        ("Champignons", "10000"),
        ("Sauce tomate", "10000"),
    ):
        Stock.objects.filter(restaurant=bastille, ingredient__name=name).update(quantity=Decimal(level))
    assert makeable_counts(bastille, [reine_junior.pk])[reine_junior.pk] == 5  # 1000 // 187.5
    login(client, "gerant-bastille")
    page = client.get(f"/admin/cuisine/stock/{bastille.pk}/").content.decode()
    row = page.split(f'data-makeable="reine-{reine_junior.pk}"')[1].split("</tr>")[0]
    assert "<td>5</td>" in row


def test_dashboard_panel_for_managers(client, bastille):
    order = order_at(bastille)
    for status in (Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY, Status.DELIVERED):
        transition(order, status)
    Stock.objects.filter(restaurant=bastille, ingredient__name="Reblochon").update(low_threshold=Decimal("999999"))
    login(client, "gerant-bastille")
    page = client.get("/admin/").content.decode()
    row = page.split('data-restaurant="bastille"')[1].split("</tr>")[0]
    assert "25,50\u00a0€" in row and "Reblochon" in row  # 2 × Reine Junior + delivery
    assert 'data-restaurant="nation"' not in page
    login(client, "pizzaiolo-bastille")
    assert "ocpizza-today" not in client.get("/admin/").content.decode()


def test_stock_screen_queries_do_not_grow_with_ingredients(client, bastille):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ordering.models import Ingredient

    login(client, "gerant-bastille")
    url = f"/admin/cuisine/stock/{bastille.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        ingredient = Ingredient.objects.create(name=f"Épice {n}", unit="g")
        Stock.objects.create(restaurant=bastille, ingredient=ingredient)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Épice 9" in page
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


@pytest.mark.parametrize(
    "action, fields",
    [
        ("restock", {"quantity": "999999999.999"}),  # numeric overflow of the level: a 500 before
        ("restock", {"quantity": "1000000.001"}),
        ("restock", {"quantity": "1e400"}),
        ("restock", {"quantity": "NaN"}),
        ("restock", {"quantity": "Infinity"}),
        ("restock", {"quantity": "9" * 40}),
        ("restock", {"quantity": "0"}),
        ("restock", {"quantity": "1\x00"}),
        ("adjust", {"reason": "waste", "quantity": "999999999.999"}),
        ("adjust", {"reason": "inventory", "quantity": "999999999.999"}),
        ("adjust", {"reason": "inventory", "quantity": "-1"}),
        ("adjust", {"reason": "inventory", "quantity": "1e12"}),
        ("threshold", {"low_threshold": "999999999999.999"}),
        ("threshold", {"low_threshold": "1000000.5"}),
        ("threshold", {"low_threshold": "-Infinity"}),
    ],
)
def test_out_of_range_stock_entries_are_a_form_error_and_write_nothing(client, bastille, action, fields):
    login(client, "gerant-bastille")
    ham = stock(bastille, "Jambon blanc")
    movements = StockMovement.objects.count()
    response = post(client, bastille, action, stock=ham.pk, **fields)
    assert response.status_code == 400, fields
    assert 'class="form-error"' in response.content.decode()
    after = stock(bastille, "Jambon blanc")
    assert (after.quantity, after.low_threshold) == (ham.quantity, ham.low_threshold)
    assert StockMovement.objects.count() == movements


def test_a_restock_that_would_overflow_the_level_is_refused_with_a_message(client, bastille):
    login(client, "gerant-bastille")
    ham = stock(bastille, "Jambon blanc")
    Stock.objects.filter(pk=ham.pk).update(quantity=Decimal("999999000"))
    movements = StockMovement.objects.count()
    response = post(client, bastille, "restock", stock=ham.pk, quantity="1000")
    assert response.status_code == 400
    assert "999999999,999" in response.content.decode() or "999999999.999" in response.content.decode()
    assert stock(bastille, "Jambon blanc").quantity == Decimal("999999000")
    assert StockMovement.objects.count() == movements
    # up to the limit is fine
    assert post(client, bastille, "restock", stock=ham.pk, quantity="999.999").status_code == 302
    assert stock(bastille, "Jambon blanc").quantity == Decimal("999999999.999")


def test_stock_entries_take_the_precision_of_the_stock_columns():
    for form_class, name in ((RestockForm, "quantity"), (AdjustmentForm, "quantity"), (ThresholdForm, "low_threshold")):
        field = form_class.base_fields[name]
        assert (field.max_digits, field.decimal_places) == (QUANTITY["max_digits"], QUANTITY["decimal_places"]), (
            form_class
        )
    assert RestockForm.base_fields["quantity"].min_value == Decimal("0.001")  # the smallest quantity the columns hold
    assert RestockForm(data={"stock": "", "quantity": "0.0001"}, stocks=Stock.objects.none()).errors["quantity"]
