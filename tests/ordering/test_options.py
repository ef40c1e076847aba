"""Customised pizzas (ordering.options): extra toppings, removed ingredients, crusts and
half-and-half; their prices, their recipes, the stock ledger, the cart, the kitchen."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from home.models import MenuItem, Option, OptionGroup, OptionSizePrice, Product
from ordering.cart import Cart
from ordering.exceptions import OrderError
from ordering.models import Ingredient, OptionRecipeLine, Order, OrderLine, Stock, StockMovement
from ordering.options import (
    LineSpec,
    adjusted_recipe,
    halve,
    options_price,
    parse_key,
    recipes_for_keys,
    spec_of,
)
from ordering.pricing import price_lines, subtotal_of
from ordering.services import OrderDetails, place_order, transition
from ordering.stock import recipes_for
from ordering.workflow import Fulfilment, Status
from tests.conftest import size_of, text_of

pytestmark = pytest.mark.django_db

SENIOR = "Sénior 33 cm"


def details():
    return OrderDetails(fulfilment=Fulfilment.PICKUP, name="Léa", phone="0612345678", email="lea@example.fr")


def option(name):
    return Option.objects.get(name=name)


def ingredient(name):
    return Ingredient.objects.get(name=name)


def key_of(size, *option_names, half=None):
    return LineSpec(size.pk, half.pk if half else None, tuple(sorted(option(n).pk for n in option_names))).key


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def ledger_matches_levels(restaurant):
    sums = dict(
        StockMovement.objects.filter(stock__restaurant=restaurant)
        .values("stock_id")
        .annotate(total=Sum("delta"))
        .values_list("stock_id", "total")
    )
    return all(
        sums.get(stock.pk, Decimal("0")) == stock.quantity for stock in Stock.objects.filter(restaurant=restaurant)
    )


# --- keys -----------------------------------------------------------------------


def test_a_key_is_canonical_and_identical_pizzas_share_it():
    assert spec_of(12) == LineSpec(12)
    assert parse_key("12") == 12  # a plain size is its id, as before
    assert spec_of("12o7.3") == LineSpec(12, None, (3, 7))
    assert parse_key("12o7.3") == parse_key("12o3.7") == "12o3.7"
    assert parse_key("12h15o3") == "12h15o3"
    assert LineSpec(12).key == 12


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0",
        "-1",
        "12o",
        "12o3.3",
        "12h12",
        "12h",
        "abc",
        "12\x00",
        "12o3.",
        "1" * 11,
        "99999999999",
        "12 o3",
        "12o" + ".".join(str(i) for i in range(1, 30)),
        "١٢",
        None,
        4.0,
        True,
        [],
        "12h0",
        "12o0",
    ],
)
def test_hostile_keys_are_refused(raw):
    assert spec_of(raw) is None


# --- recipe and price arithmetic ------------------------------------------------


def test_options_add_and_remove_ingredients_per_size():
    recipe = [(1, Decimal("250")), (2, Decimal("80")), (3, Decimal("20"))]
    lines = [
        ("", "remove", 3, None),  # sans olives, every size
        ("Sénior 33 cm", "add", 4, Decimal("40")),  # + chorizo, Sénior
        ("Méga 40 cm", "add", 4, Decimal("60")),  # another size: ignored
        ("", "remove", 1, None),
        ("sénior 33 cm ", "add", 1, Decimal("190")),  # thin crust: the dough replaced
    ]
    assert adjusted_recipe(recipe, None, SENIOR, lines) == [(1, Decimal("190")), (2, Decimal("80")), (4, Decimal("40"))]


def test_each_half_consumes_half_its_recipe():
    reine = [(1, Decimal("250")), (2, Decimal("80")), (5, Decimal("80"))]
    four_cheeses = [(1, Decimal("250")), (6, Decimal("50")), (7, Decimal("0.001"))]
    assert adjusted_recipe(reine, four_cheeses, SENIOR, []) == [
        (1, Decimal("250.000")),
        (2, Decimal("40.000")),
        (5, Decimal("40.000")),
        (6, Decimal("25.000")),
        (7, Decimal("0.001")),  # to the thousandth the stock counts in, rounded up
    ]
    assert halve(Decimal("0.003")) == Decimal("0.002")


def test_removing_an_ingredient_of_one_half_takes_it_out_of_the_pizza():
    assert adjusted_recipe(
        [(1, Decimal("10"))], [(1, Decimal("30")), (2, Decimal("4"))], SENIOR, [("", "remove", 1, None)]
    ) == [(2, Decimal("2.000"))]


@given(
    recipe=st.dictionaries(st.integers(1, 8), st.decimals("0.001", "1000", places=3), max_size=6),
    half=st.none() | st.dictionaries(st.integers(1, 8), st.decimals("0.001", "1000", places=3), max_size=6),
    lines=st.lists(
        st.tuples(
            st.sampled_from(["", SENIOR, "Junior 26 cm"]),
            st.sampled_from(["add", "remove"]),
            st.integers(1, 10),
            st.decimals("0.001", "500", places=3),
        ),
        max_size=8,
    ),
)
def test_an_adjusted_recipe_is_exact_to_the_thousandth(recipe, half, lines):
    result = dict(adjusted_recipe(list(recipe.items()), None if half is None else list(half.items()), SENIOR, lines))
    applicable = [line for line in lines if line[0] in ("", SENIOR)]
    removed = {i for _l, action, i, _q in applicable if action == "remove"}
    for ingredient_id, quantity in result.items():
        assert quantity > 0 and quantity == quantity.quantize(Decimal("0.001"))
        base = (
            recipe.get(ingredient_id, 0)
            if half is None
            else halve(recipe.get(ingredient_id, 0)) + halve((half or {}).get(ingredient_id, 0))
        )
        added = sum(q for _l, action, i, q in applicable if action == "add" and i == ingredient_id)
        assert quantity == (0 if ingredient_id in removed else base) + added
    for ingredient_id in removed:
        assert ingredient_id not in result or any(a == "add" and i == ingredient_id for _l, a, i, _q in applicable)


def test_the_first_n_of_a_group_are_free_and_the_cheapest_ones(bastille):
    extras = OptionGroup.objects.get(name="Suppléments")
    chosen = [option("Champignons"), option("Lardons"), option("Chèvre")]
    for o in chosen:
        o.group = extras
    assert extras.free_choices == 1
    assert options_price(chosen, SENIOR) == Decimal("3.00")  # 3 × 1,50 €, the first free
    assert options_price(chosen, "Junior 26 cm") == Decimal("2.00")
    thin, cheese_crust = option("Pâte fine"), option("Bords fourrés au fromage")
    assert options_price([thin], SENIOR) == 0 and options_price([cheese_crust], SENIOR) == Decimal("2.00")
    assert options_price([option("olives")], SENIOR) == 0  # a removal never costs


def test_prices_come_from_the_menu_and_the_groups(bastille):
    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    menu = {item.product.slug: item for item in MenuItem.objects.filter(restaurant=bastille).select_related("product")}
    reine_price, four_price = menu["reine"].price_for(reine), menu["quatre-fromages"].price_for(four)
    (line,) = price_lines(bastille, {key_of(reine, "olives", "Lardons", "Chèvre", half=four): 2})
    assert line.unit_price == max(reine_price, four_price) + Decimal("1.50")
    assert line.line_total == line.unit_price * 2
    assert line.options_label == "moitié Reine / moitié Quatre fromages, + Chèvre, + Lardons, sans olives"

    OptionGroup.objects.filter(kind=OptionGroup.Kind.HALF).update(half_price_rule=OptionGroup.HalfPrice.AVERAGE)
    (line,) = price_lines(bastille, {key_of(reine, half=four): 1})
    assert line.unit_price == ((reine_price + four_price) / 2).quantize(Decimal("0.01"))
    assert line.options_label == "moitié Reine / moitié Quatre fromages"


@pytest.mark.parametrize(
    "make_key, message",
    [
        (lambda: key_of(size_of("quatre-fromages", SENIOR), "olives"), "pas proposée"),  # no removals on it
        (lambda: key_of(size_of("reine", SENIOR), "Pâte fine", "Bords fourrés au fromage"), "au plus 1"),
        (lambda: key_of(size_of("reine", SENIOR), half=size_of("calzone", SENIOR)), "moitié-moitié"),
        (lambda: key_of(size_of("reine", SENIOR), half=size_of("margherita", "Junior 26 cm")), "moitié-moitié"),
        (lambda: key_of(size_of("coca-cola"), "Lardons"), "pas proposée"),
        (lambda: f"{size_of('reine', SENIOR).pk}o999999", "pas proposée"),
    ],
)
def test_what_the_groups_do_not_offer_is_refused(bastille, make_key, message):
    with pytest.raises(OrderError, match=message):
        price_lines(bastille, {make_key(): 1})


def test_a_group_with_a_minimum_must_be_answered(bastille):
    OptionGroup.objects.filter(name="Pâte").update(min_choices=1)
    reine = size_of("reine", SENIOR)
    with pytest.raises(OrderError, match="au moins 1"):
        price_lines(bastille, {key_of(reine, "Lardons"): 1})
    assert price_lines(bastille, {key_of(reine, "Lardons", "Pâte fine"): 1})
    assert price_lines(bastille, {reine.pk: 1})  # the house pizza, as on the menu


# --- stock, ledger, orders -------------------------------------------------------


def test_an_order_reserves_exactly_the_adjusted_recipe_and_cancelling_gives_it_back(bastille):
    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    key = key_of(reine, "olives", "Lardons", "Pâte fine", half=four)
    before = levels(bastille)
    order = place_order(bastille, {key: 2, reine.pk: 1}, details())
    after = levels(bastille)
    expected = {name: Decimal("0") for name in before}
    base = dict(recipes_for([reine.pk])[reine.pk])
    names = {i.pk: i.name for i in Ingredient.objects.all()}
    for ingredient_id, quantity in recipes_for_keys([key])[key]:
        expected[names[ingredient_id]] += quantity * 2
    for ingredient_id, quantity in base.items():
        expected[names[ingredient_id]] += quantity
    assert {n: before[n] - after[n] for n in before} == expected
    # Half Reine (250 g of dough) / half 4 fromages (250 g), thin crust: the dough replaced by 190 g.
    assert expected["Pâte à pizza"] == 190 * 2 + 250
    assert expected["Lardons"] == 40 * 2 and expected["Jambon blanc"] == 40 * 2 + 80
    assert ledger_matches_levels(bastille)

    custom = order.lines.get(options_key=key)
    assert custom.options_label == "moitié Reine / moitié Quatre fromages, Pâte fine, + Lardons, sans olives"
    assert custom.quantity == 2 and custom.line_total == custom.unit_price * 2
    assert order.subtotal == sum(line.line_total for line in order.lines.all())

    transition(order, Status.CANCELLED)
    assert levels(bastille) == before and ledger_matches_levels(bastille)


def test_a_sold_out_topping_disables_the_option_not_the_pizza(client, bastille):
    stock = Stock.objects.get(restaurant=bastille, ingredient__name="Lardons")
    StockMovement.objects.create(stock=stock, delta=-stock.quantity, reason=StockMovement.Reason.WASTE)
    Stock.objects.filter(pk=stock.pk).update(quantity=0)
    reine = size_of("reine", SENIOR)
    url = reverse("ordering:customise", args=[bastille.pk, "reine"]) + f"?taille={reine.pk}"
    page = client.get(url)
    html = page.content.decode()
    lardons = option("Lardons")
    assert f'value="{lardons.pk}" disabled' in html and f'value="{option("Chèvre").pk}">' in html
    response = client.post(url, {"taille": reine.pk, "option": [lardons.pk], "quantity": 1})
    assert response.status_code == 400 and "épuisé" in text_of(response).lower()
    assert not Cart(client.session).quantities
    response = client.post(url, {"taille": reine.pk, "option": [option("Chèvre").pk], "quantity": 1})
    assert response.status_code == 302
    assert Cart(client.session).quantities == {key_of(reine, "Chèvre"): 1}
    with pytest.raises(OrderError):
        place_order(bastille, {key_of(reine, "Lardons"): 1}, details())


def test_identical_customised_pizzas_are_one_cart_line(client, bastille):
    reine = size_of("reine", SENIOR)
    url = reverse("ordering:customise", args=[bastille.pk, "reine"])
    chosen = [option("Lardons").pk, option("olives").pk]
    client.post(url, {"taille": reine.pk, "option": chosen, "quantity": 1})
    client.post(url, {"taille": reine.pk, "option": list(reversed(chosen)), "quantity": 2})
    client.post(url, {"taille": reine.pk, "quantity": 1})  # the plain pizza: another line
    assert Cart(client.session).quantities == {key_of(reine, "Lardons", "olives"): 3, reine.pk: 1}
    page = client.get(reverse("ordering:cart"))
    text = text_of(page)
    assert "+ Lardons, sans olives" in text
    line = next(line for line in page.context["lines"] if line.options_key)
    assert line.quantity == 3 and page.context["subtotal"] == subtotal_of(page.context["lines"])
    # The stepper changes the customised line only.
    response = client.post(reverse("ordering:cart_update"), {"line": f"{line.key}:1"})
    assert response.status_code == 302
    assert Cart(client.session).quantities == {line.key: 1, reine.pk: 1}


def test_the_menu_links_to_customising_only_the_pizzas_with_options(client, bastille):
    html = client.get(bastille.url).content.decode()
    assert reverse("ordering:customise", args=[bastille.pk, "reine"]) in html
    assert reverse("ordering:customise", args=[bastille.pk, "coca-cola"]) not in html


def test_the_customise_page_offers_the_groups_and_the_halves(client, bastille):
    reine = size_of("reine", SENIOR)
    page = client.get(reverse("ordering:customise", args=[bastille.pk, "reine"]) + f"?taille={reine.pk}")
    text = text_of(page)
    for expected in ("Pâte fine", "Suppléments", "Lardons", "Sans…", "olives", "Moitié Reine / moitié Quatre fromages"):
        assert expected.lower() in text.lower(), expected
    assert "calzone" not in text.lower()  # not one of the halves


def test_customise_without_a_size_takes_the_first_and_a_missing_product_is_404(client, bastille):
    assert client.get(reverse("ordering:customise", args=[bastille.pk, "reine"])).status_code == 200
    assert client.get(reverse("ordering:customise", args=[bastille.pk, "nope"])).status_code == 404
    assert client.get(reverse("ordering:customise", args=["x", "reine"])).status_code == 404
    assert client.get(reverse("ordering:customise", args=["99999999999", "reine"])).status_code == 404


HOSTILE_POSTS = [
    {"option": ["abc"]},
    {"option": [""]},
    {"option": ["\x00"]},
    {"option": ["-1"]},
    {"option": ["99999999999"]},
    {"option": ["4.0"]},
    {"option": ["1" * 10_000]},
    {"option": ["olives-of-4-fromages"]},
    {"half": "abc"},
    {"half": "calzone"},
    {"quantity": "0"},
    {"quantity": "21"},
    {"quantity": "1e309"},
    {"taille": "abc"},
    {"taille": "coca"},
]


@pytest.mark.parametrize("hostile", HOSTILE_POSTS)
def test_hostile_input_on_the_customise_form_is_a_400_and_changes_nothing(client, bastille, hostile):
    reine = size_of("reine", SENIOR)
    replacements = {
        "olives-of-4-fromages": str(option("olives").pk),  # offered on the Reine, posted for the 4 fromages
        "calzone": str(size_of("calzone", SENIOR).pk),
        "coca": str(size_of("coca-cola").pk),
    }
    data = {"taille": str(reine.pk), "quantity": "1"}
    data.update(hostile)
    data = {
        k: ([replacements.get(x, x) for x in v] if isinstance(v, list) else replacements.get(v, v))
        for k, v in data.items()
    }
    product = "quatre-fromages" if hostile.get("option") == ["olives-of-4-fromages"] else "reine"
    if product == "quatre-fromages":
        data["taille"] = str(size_of("quatre-fromages", SENIOR).pk)
    rows = (Order.objects.count(), StockMovement.objects.count(), OrderLine.objects.count())
    response = client.post(reverse("ordering:customise", args=[bastille.pk, product]), data)
    assert response.status_code == 400
    assert not Cart(client.session).quantities
    assert (Order.objects.count(), StockMovement.objects.count(), OrderLine.objects.count()) == rows


def test_too_many_choices_come_back_with_the_form_and_a_reason(client, bastille):
    reine = size_of("reine", SENIOR)
    response = client.post(
        reverse("ordering:customise", args=[bastille.pk, "reine"]),
        {"taille": reine.pk, "option": [option("Pâte fine").pk, option("Bords fourrés au fromage").pk], "quantity": 1},
    )
    assert response.status_code == 400 and "au plus 1" in text_of(response)
    assert f'value="{option("Pâte fine").pk}" checked' in response.content.decode()
    assert not Cart(client.session).quantities


# --- property: any combination keeps the ledger and the totals exact --------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_combination_of_options_keeps_stock_ledger_and_totals_consistent(bastille, data):
    pizzas = ["reine", "margherita", "napolitaine", "quatre-fromages", "diavola"]
    offered = {
        slug: [
            o.pk for g in OptionGroup.objects.filter(products__slug=slug).exclude(kind="half") for o in g.options.all()
        ]
        for slug in pizzas
    }
    lines = {}
    for _ in range(data.draw(st.integers(1, 4))):
        slug = data.draw(st.sampled_from(pizzas))
        label = data.draw(st.sampled_from(["Junior 26 cm", SENIOR, "Méga 40 cm"]))
        half = data.draw(st.none() | st.sampled_from([p for p in pizzas if p != slug]))
        options = data.draw(st.lists(st.sampled_from(offered[slug]), unique=True, max_size=4))
        key = LineSpec(size_of(slug, label).pk, size_of(half, label).pk if half else None, tuple(sorted(options))).key
        lines[key] = data.draw(st.integers(1, 3))
    with transaction.atomic():
        before = levels(bastille)
        try:
            order = place_order(bastille, lines, details())
        except OrderError:  # a group's limit: nothing written
            assert levels(bastille) == before and ledger_matches_levels(bastille)
        else:
            saved = list(order.lines.all())
            assert order.subtotal == sum(line.line_total for line in saved)
            assert order.total == order.subtotal + order.delivery_fee
            assert all(line.line_total == line.unit_price * line.quantity for line in saved)
            assert sum(line.quantity for line in saved) == sum(lines.values())
            needs = {}
            for key, recipe in recipes_for_keys(list(lines)).items():
                for ingredient_id, quantity in recipe:
                    needs[ingredient_id] = needs.get(ingredient_id, 0) + quantity * lines[key]
            consumed = {
                row["stock__ingredient_id"]: -row["net"]
                for row in StockMovement.objects.filter(order=order)
                .values("stock__ingredient_id")
                .annotate(net=Sum("delta"))
            }
            assert consumed == needs
            assert ledger_matches_levels(bastille)
            transition(order, Status.CANCELLED)
            assert levels(bastille) == before and ledger_matches_levels(bastille)
        transaction.set_rollback(True)


# --- the kitchen --------------------------------------------------------------------


def test_the_board_and_the_tickets_show_the_adjusted_recipe(client, bastille, django_user_model):
    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    order = place_order(bastille, {key_of(reine, "olives", "Lardons", half=four): 1}, details())
    client.force_login(django_user_model.objects.get(username="pizzaiolo-bastille"))
    page = client.get(reverse("ordering_staff:kitchen", args=[bastille.pk]))
    html = page.content.decode()
    assert "moitié Reine / moitié Quatre fromages, + Lardons, sans olives" in html
    ticket = html[html.index(f'data-order-id="{order.pk}"') :]
    recipe = ticket[ticket.index('class="recipe"') : ticket.index("</details>")]
    assert "40 g Lardons" in recipe.replace("grammes", "g") or "Lardons" in recipe
    assert "Olives" not in recipe and "Gorgonzola" in recipe and "Jambon blanc" in recipe


# --- the menu's queries ----------------------------------------------------------------


def test_menu_queries_do_not_grow_with_products_nor_options(client, bastille):
    client.get(bastille.url)
    with CaptureQueriesContext(connection) as small:
        client.get(bastille.url)
    extras = OptionGroup.objects.get(name="Suppléments")
    for product in Product.objects.all():
        MenuItem.objects.create(restaurant=bastille, product=product, price_override=Decimal("20.00"))
    for i in range(5):
        group = OptionGroup.objects.create(name=f"Groupe {i}", kind=OptionGroup.Kind.EXTRA)
        group.products.set(Product.objects.all())
        group.save()
        OptionSizePrice.objects.create(group=group, size_label="", price=Decimal("1.00"))
        for j in range(4):
            created = Option.objects.create(group=group, name=f"Option {i}-{j}")
            OptionRecipeLine.objects.create(option=created, ingredient=ingredient("Mozzarella"), quantity=Decimal("5"))
    assert extras.options.exists()
    client.get(bastille.url)
    with CaptureQueriesContext(connection) as large:
        client.get(bastille.url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_customise_page_queries_do_not_grow_with_options(client, bastille):
    url = reverse("ordering:customise", args=[bastille.pk, "reine"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    reine = Product.objects.get(slug="reine")
    for i in range(4):
        group = OptionGroup.objects.create(name=f"Groupe {i}", kind=OptionGroup.Kind.EXTRA, max_choices=2)
        group.products.set([reine])
        group.save()
        for j in range(5):
            created = Option.objects.create(group=group, name=f"Option {i}-{j}", price=Decimal("0.50"))
            OptionRecipeLine.objects.create(option=created, ingredient=ingredient("Chèvre"), quantity=Decimal("5"))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_a_plain_size_keeps_its_id_as_key(bastille):
    reine = size_of("reine", SENIOR)
    assert [line.key for line in price_lines(bastille, {reine.pk: 1})] == [reine.pk]
    assert [line.key for line in price_lines(bastille, {str(reine.pk): 1})] == [reine.pk]
    assert [line.options_label for line in price_lines(bastille, {reine.pk: 1})] == [""]


# --- the phone-order screen ---------------------------------------------------------------


def test_the_phone_order_screen_offers_the_same_options(client, bastille):
    from tests.conftest import issue_checkout_key
    from tests.ordering.test_staff import login, new_order_form

    login(client, "comptoir-bastille")
    url = f"/admin/cuisine/{bastille.pk}/nouvelle-commande/"
    page = client.get(url).content.decode()
    assert 'name="custom_1_size"' in page and "Suppléments : Lardons" in page
    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    data = new_order_form(bastille, checkout_key=issue_checkout_key(client, "8" * 32))
    data.update(
        {
            "custom_1_size": str(reine.pk),
            "custom_1_half": str(four.pk),
            "custom_1_options": [str(option("olives").pk), str(option("Lardons").pk)],
            "custom_1_quantity": "2",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, text_of(response)[:2000]
    order = Order.objects.get()
    line = order.lines.get(options_key=key_of(reine, "olives", "Lardons", half=four))
    assert line.quantity == 2 and line.options_label == "moitié Reine / moitié Quatre fromages, + Lardons, sans olives"
    assert order.subtotal == sum(line.line_total for line in order.lines.all())
    assert ledger_matches_levels(bastille)


def test_the_phone_order_screen_refuses_what_the_pizza_does_not_offer(client, bastille):
    from tests.conftest import issue_checkout_key
    from tests.ordering.test_staff import login, new_order_form

    login(client, "comptoir-bastille")
    url = f"/admin/cuisine/{bastille.pk}/nouvelle-commande/"
    data = new_order_form(bastille, checkout_key=issue_checkout_key(client, "7" * 32))
    four = size_of("quatre-fromages", SENIOR)
    data.update({"custom_1_size": str(four.pk), "custom_1_options": [str(option("olives").pk)]})
    response = client.post(url, data)
    assert response.status_code == 400 and "pas proposée" in text_of(response)
    data.update({"custom_1_options": [], "custom_1_half": str(four.pk)})
    assert client.post(url, data).status_code == 400
    data.update({"custom_1_half": "", "custom_1_options": ["abc"]})
    assert client.post(url, data).status_code == 400
    assert not Order.objects.exists()


def test_the_recipe_reminder_lists_what_each_option_does(client, bastille):
    from tests.ordering.test_staff import login

    login(client, "pizzaiolo-bastille")
    text = text_of(client.get(f"/admin/cuisine/recettes/{bastille.pk}/"))
    assert "Pâte : Pâte fine" in text and "sans Pâte à pizza" in text and "Sénior 33 cm + 190 g Pâte à pizza" in text
    assert "Sans… : olives — sans Olives noires" in text


# --- changing and ordering again ----------------------------------------------------------


def test_changing_an_order_keeps_its_customised_pizzas(client, bastille):
    from tests.conftest import delivery_form, form_values, issue_checkout_key

    reine = size_of("reine", SENIOR)
    custom = key_of(reine, "Lardons", "olives", "Chèvre")
    client.post(
        reverse("ordering:customise", args=[bastille.pk, "reine"]),
        {"taille": reine.pk, "option": [option("Lardons").pk, option("olives").pk, option("Chèvre").pk], "quantity": 1},
    )
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": reine.pk, "quantity": 1})
    client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(client)))
    order = Order.objects.get()
    url = f"/commande/suivi/{order.tracking_token}/modifier/"
    page = client.get(url)
    assert "+ Chèvre, + Lardons, sans olives" in text_of(page)
    values = form_values(page.content.decode(), "[data-change-form]")
    assert values[f"size_{reine.pk}"] == "1"
    values[f"size_{reine.pk}"] = "2"
    assert client.post(url, values).status_code == 302
    order.refresh_from_db()
    assert sorted((line.options_key, line.quantity) for line in order.lines.all()) == [("", 2), (custom, 1)]
    assert order.subtotal == sum(line.line_total for line in order.lines.all())
    assert ledger_matches_levels(bastille)
    held = dict(
        StockMovement.objects.filter(order=order).values_list("stock__ingredient__name").annotate(net=Sum("delta"))
    )
    assert -held["Lardons"] == 40 and "Olives noires" not in held and -held["Jambon blanc"] == 80 * 3


def test_ordering_again_puts_the_same_customised_pizza_in_the_cart(bastille):
    from ordering.reorder import reorder

    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    key = key_of(reine, "Lardons", half=four)
    order = place_order(bastille, {key: 2}, details())
    again = reorder(order)
    assert again.cart_data["lines"] == {key: 2} and not again.changes
    OptionGroup.objects.filter(kind=OptionGroup.Kind.HALF).delete()  # half-and-half withdrawn meanwhile
    again = reorder(order)
    assert not again.cart_data.get("lines") and "plus à la carte" in again.changes[0]


def test_the_totals_to_prepare_count_customised_pizzas_with_their_adjusted_recipe(bastille):
    from ordering.staff.stations import to_prepare

    reine, four = size_of("reine", SENIOR), size_of("quatre-fromages", SENIOR)
    place_order(bastille, {key_of(reine, "olives", "Lardons", "Pâte fine", half=four): 2, reine.pk: 1}, details())
    totals = to_prepare(bastille)
    assert totals["sizes"] == [(3, SENIOR)]
    ingredients = {name: quantity for quantity, name in totals["ingredients"]}
    assert ingredients["Pâte à pizza"] == "630 g"  # 2 × 190 g (thin crust) + 250 g
    assert ingredients["Lardons"] == "80 g" and ingredients["Jambon blanc"] == "160 g"  # 2 × 40 (a half) + 80
    assert ingredients["Gorgonzola"] == "50 g"  # 2 × 25 (a half)


# --- who edits what in the Wagtail admin ------------------------------------------------------


def test_marketing_edits_the_option_groups_and_head_office_what_options_do(client):
    from tests.conftest import form_values
    from tests.ordering.test_staff import login

    group = OptionGroup.objects.get(name="Suppléments")
    line = OptionRecipeLine.objects.filter(option__name="Lardons").order_by("pk").first()
    group_edit = reverse("wagtailsnippets_home_optiongroup:edit", args=[group.pk])
    line_edit = reverse("wagtailsnippets_ordering_optionrecipeline:edit", args=[line.pk])

    login(client, "marketing")
    page = client.get(group_edit)
    assert page.status_code == 200
    data = form_values(page.content.decode(), "form[data-edit-form]")
    data["free_choices"] = "2"
    data["max_choices"] = "1"
    assert client.post(group_edit, data).status_code == 302
    group.refresh_from_db()
    assert (group.free_choices, group.max_choices) == (2, 1)
    assert group.options.count() == 6 and Option.objects.get(name="Lardons").recipe_lines.exists()  # kept
    data["min_choices"], data["max_choices"] = "3", "2"
    assert client.post(group_edit, data).status_code == 200  # refused: the form again, with the reason
    assert client.get(line_edit).status_code == 403

    login(client, "gerant-bastille")
    assert client.get(reverse("wagtailsnippets_ordering_optionrecipeline:list")).status_code == 200
    assert client.get(line_edit).status_code == 403

    login(client, "siege")
    page = client.get(line_edit)
    assert page.status_code == 200
    data = form_values(page.content.decode(), "form[data-edit-form]")
    data["quantity"] = "55"
    assert client.post(line_edit, data).status_code == 302
    line.refresh_from_db()
    assert line.quantity == Decimal("55")
