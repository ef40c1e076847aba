"""Cart and checkout through the website's own views, good and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from home.models import MenuItem, Product, RestaurantPage
from ordering.models import Order, Stock, StockMovement
from ordering.pricing import MAX_QUANTITY_PER_LINE
from ordering.services import OrderDetails, place_order
from tests.conftest import delivery_form, form_values, issue_checkout_key, size_of, text_of

pytestmark = pytest.mark.django_db
CART, ADD, UPDATE, CHECKOUT = (
    "/commande/panier/",
    "/commande/panier/ajouter/",
    "/commande/panier/modifier/",
    "/commande/valider/",
)


def add(client, restaurant, size, quantity=1, **extra):
    return client.post(ADD, {"restaurant": restaurant.pk, "size": size.pk, "quantity": quantity, **extra})


def add_json(client, restaurant, size, quantity=1):
    return client.post(
        ADD, {"restaurant": restaurant.pk, "size": size.pk, "quantity": quantity}, HTTP_ACCEPT="application/json"
    )


def issued_key(client):
    """The checkout key the checkout form gives this browser session."""
    return form_values(client.get(CHECKOUT).content.decode(), "form[data-checkout]")["checkout_key"]


def stock_of(restaurant, ingredient_name):
    return Stock.objects.get(restaurant=restaurant, ingredient__name=ingredient_name).quantity


def assert_ledger_balances():
    for stock in Stock.objects.all():
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity, stock


@pytest.fixture
def cart(client, bastille):
    add(client, bastille, size_of("reine", "Méga 40 cm"), 1)
    add(client, bastille, size_of("margherita"), 2)
    issue_checkout_key(client)  # the key of delivery_form(), as if the checkout form had been shown
    return client


def test_order_for_delivery_reserves_stock_and_confirms(cart, bastille, django_capture_on_commit_callbacks):
    dough = stock_of(bastille, "Pâte à pizza")
    with django_capture_on_commit_callbacks(execute=True):
        response = cart.post(CHECKOUT, delivery_form())
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_tracking_url()
    # 18,00 (Reine Méga) + 2 × 9,50 + 2,50 delivery, all computed on the server
    assert (order.subtotal, order.delivery_fee, order.total) == (Decimal("37.00"), Decimal("2.50"), Decimal("39.50"))
    assert [
        (line.product_name, line.size_label, line.unit_price, line.quantity)
        for line in order.lines.order_by("product_name")
    ] == [
        ("Margherita", "Junior 26 cm", Decimal("9.50"), 2),
        ("Reine", "Méga 40 cm", Decimal("18.00"), 1),
    ]
    assert stock_of(bastille, "Pâte à pizza") == dough - Decimal("375") - 2 * Decimal("187.5")
    assert order.stock_movements.filter(reason=StockMovement.Reason.ORDER).exists()
    assert_ledger_balances()
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert order.get_tracking_url() in mail.outbox[0].body
    assert cart.get(CART).context["lines"] == []  # the cart is emptied
    assert len(order.tracking_token) >= 40


def test_order_numbers_are_per_restaurant_and_day(client, bastille):
    numbers = []
    for key in ("1" * 32, "2" * 32):
        add(client, bastille, size_of("reine"), 1)
        issue_checkout_key(client, key)
        client.post(CHECKOUT, delivery_form(checkout_key=key, fulfilment="pickup"))
    numbers = list(Order.objects.order_by("sequence").values_list("number", "sequence"))
    day = timezone.localdate().strftime("%d%m")
    assert numbers == [(f"BAS{bastille.pk}-{day}-001", 1), (f"BAS{bastille.pk}-{day}-002", 2)]


def test_order_numbers_never_collide_between_alike_restaurants(bastille):
    from copy import copy

    from ordering.services import order_number

    twin = copy(bastille)
    twin.pk, twin.slug = bastille.pk + 1, "bastille-nord"
    day = timezone.localdate()
    assert order_number(bastille, day, 1) != order_number(twin, day, 1)


def test_same_checkout_submitted_twice_makes_one_order(cart, bastille):
    first = cart.post(CHECKOUT, delivery_form())
    second = cart.post(CHECKOUT, delivery_form())  # reload: the cart is already empty
    add(cart, bastille, size_of("reine"), 2)
    third = cart.post(CHECKOUT, delivery_form())  # even with a new cart, the same form is the same order
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == third["Location"]
    assert Order.objects.get().lines.count() == 2


def test_price_and_quantity_fields_from_the_client_are_ignored(cart):
    cart.post(CHECKOUT, delivery_form(total="0.01", unit_price="0.01", subtotal="0", quantity="50"))
    assert Order.objects.get().total == Decimal("39.50")


@pytest.mark.parametrize("quantity", ["0", "-2", "21", "1000000", "abc", ""])
def test_bad_quantities_are_refused(client, bastille, quantity):
    response = client.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": quantity})
    assert response.status_code == 302
    assert client.session.get("cart", {}).get("lines") in (None, {})
    assert "error" in [m.level_tag for m in response.wsgi_request._messages]


def test_quantity_update_is_validated(cart):
    size = size_of("margherita")
    cart.post(UPDATE, {"size": size.pk, "quantity": "-1"})
    assert cart.session["cart"]["lines"][str(size.pk)] == 2
    cart.post(UPDATE, {"size": size.pk, "quantity": "0"})  # zero removes the line
    assert str(size.pk) not in cart.session["cart"]["lines"]


def test_unknown_product_is_refused(client, bastille):
    response = client.post(
        ADD, {"restaurant": bastille.pk, "size": 999999, "quantity": 1}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "n’est plus" not in response.json()["error"]
    assert "carte" in response.json()["error"]


def test_product_not_on_this_restaurants_menu_is_refused(client, bastille):
    MenuItem.objects.filter(restaurant=bastille, product__slug="tiramisu").delete()
    response = add(client, bastille, size_of("tiramisu"), 1, next="/bastille/")
    assert "cart" not in client.session or not client.session["cart"]["lines"]
    assert "OC Pizza Bastille" in str(list(response.wsgi_request._messages)[0])


def test_unpublished_product_is_refused_and_dropped_from_a_cart(cart, bastille):
    Product.objects.get(slug="reine").unpublish()
    response = cart.get(CART)
    assert [line.product.name for line in response.context["lines"]] == ["Margherita"]
    assert "ne sont plus à la carte" in text_of(response)
    assert add(cart, bastille, size_of("reine"), 1) and len(cart.session["cart"]["lines"]) == 1


def test_cart_from_another_restaurant_asks_before_emptying(cart, bastille):
    nation = RestaurantPage.objects.get(slug="nation")
    response = add(cart, nation, size_of("diavola"), 1)
    assert response.status_code == 200 and "Vider votre panier" in text_of(response)
    assert cart.session["cart"]["restaurant"] == bastille.pk  # nothing changed yet
    add(cart, nation, size_of("diavola"), 1, replace="yes")
    assert cart.session["cart"]["restaurant"] == nation.pk and len(cart.session["cart"]["lines"]) == 1


def test_empty_cart_or_expired_session_cannot_checkout(client, bastille):
    response = client.post(CHECKOUT, delivery_form())
    assert response.status_code == 302 and Order.objects.count() == 0
    assert "panier est vide" in str(list(response.wsgi_request._messages)[0])


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"postcode": "75001"}, "postcode", "ne livre pas au 75001"),
        ({"postcode": "7501"}, "postcode", "cinq chiffres"),
        ({"street_address": ""}, "street_address", "Indiquez l'adresse de livraison"),
        ({"phone": "abc"}, "phone", "numéro de téléphone valide"),
        ({"email": "camille@"}, "email", "adresse de courriel valide"),
        ({"name": ""}, "name", "Indiquez un nom"),
        ({"when": "2020-01-01T12:00:00+01:00"}, "when", "plus disponible"),
        ({"checkout_key": "not-a-key"}, "checkout_key", ""),
    ],
)
def test_bad_checkout_input_is_shown_and_nothing_is_written(cart, overrides, field, message):
    stock_before = list(Stock.objects.order_by("pk").values_list("quantity", flat=True))
    response = cart.post(CHECKOUT, delivery_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert Order.objects.count() == 0 and len(cart.session["cart"]["lines"]) == 2
    assert list(Stock.objects.order_by("pk").values_list("quantity", flat=True)) == stock_before
    assert response.context["form"]["name"].value() == delivery_form(**overrides)["name"]  # what was typed stays


def test_slot_outside_opening_hours_is_refused(client):
    restaurant = RestaurantPage.objects.get(slug="batignolles")  # dinner only on weekdays
    add(client, restaurant, size_of("reine"), 2)
    issue_checkout_key(client)
    tomorrow_4am = (timezone.localtime() + timedelta(days=1)).replace(hour=4, minute=0, second=0, microsecond=0)
    response = client.post(CHECKOUT, delivery_form(postcode="75017", when=tomorrow_4am.isoformat()))
    assert response.status_code == 400 and "when" in response.context["form"].errors


def test_minimum_order_for_delivery(client, bastille):
    add(client, bastille, size_of("coca-cola"), 2)
    issue_checkout_key(client)
    response = client.post(CHECKOUT, delivery_form())
    assert response.status_code == 400 and "à partir de 15,00" in text_of(response)
    response = client.post(CHECKOUT, delivery_form(fulfilment="pickup", street_address="", postcode="", city=""))
    assert response.status_code == 302  # take-away has no minimum
    assert Order.objects.get().total == Decimal("5.00")


def test_out_of_stock_names_the_product_writes_nothing_and_keeps_the_cart(cart, bastille):
    stock = Stock.objects.get(restaurant=bastille, ingredient__name="Jambon blanc")
    Stock.objects.filter(pk=stock.pk).update(quantity=Decimal("50"))  # the Reine Méga needs 120 g
    movements = StockMovement.objects.count()
    response = cart.post(CHECKOUT, delivery_form())
    assert response.status_code == 400
    assert "Reine" in text_of(response) and "Margherita" not in " ".join(response.context["form"].non_field_errors())
    assert Order.objects.count() == 0 and StockMovement.objects.count() == movements
    assert len(cart.session["cart"]["lines"]) == 2


def test_sold_out_is_shown_on_the_menu(client, bastille):
    Stock.objects.filter(restaurant=bastille, ingredient__name="Reblochon").update(quantity=0)
    response = client.get(bastille.url)
    card = response.content.decode().split('id="savoyarde"')[1].split("</article>")[0]
    assert card.count("Épuisé") == 3 and "disabled" in card


def test_a_customer_account_lists_its_orders(client, bastille, django_user_model):
    response = client.post(
        "/commande/compte/inscription/", {"email": "Camille@Example.fr", "password": "Pizza-Reine-2026"}
    )
    assert response.status_code == 302
    add(client, bastille, size_of("reine"), 2)
    client.post(CHECKOUT, delivery_form(checkout_key=issue_checkout_key(client)))
    order = Order.objects.get()
    assert order.customer.email == "Camille@example.fr"
    assert order.number in text_of(client.get("/commande/compte/commandes/"))


def test_queries_per_order_do_not_grow_with_its_lines(bastille):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from home.models import ProductSize
    from ordering.services import OrderDetails, place_order

    details = OrderDetails(fulfilment="pickup", name="Léa", phone="0612345678", email="lea@example.fr")
    sizes = list(ProductSize.objects.filter(product__category__slug="pizzas").order_by("pk")[:10])
    place_order(bastille, {sizes[0].pk: 1}, details)  # warm caches
    counts = []
    for lines in (1, 10):
        with CaptureQueriesContext(connection) as queries:
            place_order(bastille, {size.pk: 1 for size in sizes[:lines]}, details)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert not any("referenceindex" in q["sql"] for q in queries.captured_queries)


# --- the cart refuses what the stock cannot make (issue 9) -------------------


def test_a_sold_out_size_is_refused_by_the_cart_with_the_reason(client, bastille):
    Stock.objects.filter(restaurant=bastille, ingredient__name="Reblochon").update(quantity=0)
    response = add_json(client, bastille, size_of("savoyarde"), 1)
    assert (
        response.status_code == 400 and "Savoyarde" in response.json()["error"] and "épuisé" in response.json()["error"]
    )
    assert client.session.get("cart", {}).get("lines") in (None, {})
    response = add(client, bastille, size_of("savoyarde"), 1)  # without JavaScript: back to the menu, with the reason
    assert response.status_code == 302 and "épuisé" in str(list(response.wsgi_request._messages)[0])
    assert client.session.get("cart", {}).get("lines") in (None, {})


def test_more_than_can_be_made_is_capped_at_add_and_on_update_with_the_reason(client, bastille):
    reine_mega = size_of("reine", "Méga 40 cm")  # 120 g of ham each
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=Decimal("250"))
    response = add_json(client, bastille, reine_mega, 5)
    assert response.status_code == 200 and response.json()["capped"] and response.json()["count"] == 2
    assert "2 × Reine Méga 40 cm" in response.json()["message"]
    assert client.session["cart"]["lines"] == {str(reine_mega.pk): 2}
    response = add_json(client, bastille, reine_mega, 1)  # nothing more can be made
    assert response.status_code == 400 and "Reine" in response.json()["error"]
    assert client.session["cart"]["lines"] == {str(reine_mega.pk): 2}
    client.post(UPDATE, {"size": reine_mega.pk, "quantity": "1"})
    response = client.post(UPDATE, {"size": reine_mega.pk, "quantity": "6"})
    assert client.session["cart"]["lines"] == {str(reine_mega.pk): 2}
    assert "2 × Reine" in str(list(response.wsgi_request._messages)[-1])


def test_the_cap_counts_what_the_other_lines_of_the_cart_use(client, bastille):
    # The Reine Junior and Méga share the ham: 250 g make one Méga (120 g) beside two Juniors (60 g each) and no more.
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=Decimal("250"))
    junior, mega = size_of("reine", "Junior 26 cm"), size_of("reine", "Méga 40 cm")
    per_junior = junior.recipe_lines.get(ingredient__name="Jambon blanc").quantity
    per_mega = mega.recipe_lines.get(ingredient__name="Jambon blanc").quantity
    add(client, bastille, junior, 2)
    expected = int((Decimal("250") - 2 * per_junior) // per_mega)
    response = add_json(client, bastille, mega, 5)
    assert client.session["cart"]["lines"][str(mega.pk)] == expected, response.json()


def test_checkout_still_rechecks_the_stock_under_locks(cart, bastille):
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=Decimal("50"))
    response = cart.post(CHECKOUT, delivery_form(checkout_key=issued_key(cart)))
    assert response.status_code == 400 and Order.objects.count() == 0 and "Reine" in text_of(response)


def test_updating_an_empty_cart_stores_nothing(client, bastille):
    response = client.post(UPDATE, {"size": size_of("margherita").pk, "quantity": "2"})
    assert response.status_code == 302
    assert client.session.get("cart", {}).get("lines") in (None, {})
    assert client.get(CART).context["cart_count"] == 0


def test_lines_left_without_a_restaurant_by_an_old_session_are_no_cart(client, bastille):
    session = client.session
    session["cart"] = {"restaurant": None, "lines": {str(size_of("margherita").pk): 2}}
    session.save()
    response = client.get(CART)
    assert response.context["cart_count"] == 0 and response.context["lines"] == []


@pytest.mark.parametrize("email", ["a" * 250 + "@example.fr", "x@" + "b" * 300 + ".fr"])
def test_an_email_over_254_characters_is_a_form_error(cart, email):
    response = cart.post(CHECKOUT, delivery_form(email=email, checkout_key=issued_key(cart)))
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert Order.objects.count() == 0


def test_signup_with_an_email_over_254_characters_is_a_form_error(client, django_user_model):
    accounts = django_user_model.objects.count()
    response = client.post(
        "/commande/compte/inscription/", {"email": "a" * 250 + "@example.fr", "password": "Pizza-Reine-2026"}
    )
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert django_user_model.objects.count() == accounts


# --- a checkout key belongs to the session it was issued to (issue 9) ---------


def test_a_checkout_key_not_issued_to_this_session_is_refused_and_writes_nothing(cart, bastille):
    first = cart.post(CHECKOUT, delivery_form())
    order = Order.objects.get()
    other = Client()  # another browser that learnt the key
    add(other, bastille, size_of("reine"), 2)
    response = other.post(CHECKOUT, delivery_form())
    assert response.status_code == 400 and Order.objects.count() == 1
    assert "pas été ouvert dans ce navigateur" in text_of(response)
    assert order.tracking_token not in response.content.decode() and response.get("Location") != first["Location"]
    # The form shown again carries a key of this session: submitting it again places the order.
    fresh_key = form_values(response.content.decode(), "form[data-checkout]")["checkout_key"]
    assert fresh_key != "a" * 32
    assert other.post(CHECKOUT, delivery_form(checkout_key=fresh_key)).status_code == 302
    assert Order.objects.count() == 2


def test_the_key_the_form_issues_is_accepted_once_and_shows_its_order_again(client, bastille):
    add(client, bastille, size_of("reine"), 2)
    key = issued_key(client)
    first = client.post(CHECKOUT, delivery_form(checkout_key=key))
    again = client.post(CHECKOUT, delivery_form(checkout_key=key))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Order.objects.count() == 1


def test_a_phone_order_key_is_bound_to_the_staff_session(client, bastille):
    from django.contrib.auth import get_user_model

    url = f"/admin/cuisine/{bastille.pk}/nouvelle-commande/"
    form = {
        "channel": "phone",
        "fulfilment": "pickup",
        "when": "asap",
        "name": "M. Dupont",
        "phone": "01 43 55 00 00",
        "email": "",
        "payment_method": "on_site",
        f"size_{size_of('reine').pk}": "1",
    }
    client.force_login(get_user_model().objects.get(username="comptoir-bastille"))
    key = form_values(client.get(url).content.decode(), "form[data-new-order]")["checkout_key"]
    assert client.post(url, {**form, "checkout_key": key}).status_code == 302
    manager = Client()
    manager.force_login(get_user_model().objects.get(username="gerant-bastille"))
    response = manager.post(url, {**form, "checkout_key": key})
    assert response.status_code == 400 and Order.objects.count() == 1
    assert "pas été ouvert dans ce navigateur" in text_of(response)


def test_a_phone_order_email_over_254_characters_is_a_form_error(client, bastille):
    from django.contrib.auth import get_user_model

    url = f"/admin/cuisine/{bastille.pk}/nouvelle-commande/"
    client.force_login(get_user_model().objects.get(username="comptoir-bastille"))
    key = form_values(client.get(url).content.decode(), "form[data-new-order]")["checkout_key"]
    response = client.post(
        url,
        {
            "channel": "phone",
            "fulfilment": "pickup",
            "when": "asap",
            "name": "M. Dupont",
            "phone": "01 43 55 00 00",
            "email": "a" * 250 + "@example.fr",
            "payment_method": "on_site",
            "checkout_key": key,
            f"size_{size_of('reine').pk}": "1",
        },
    )
    assert response.status_code == 400 and "email" in response.context["form"].errors and Order.objects.count() == 0


def test_every_quantity_input_takes_its_limit_from_the_one_constant(client, bastille):
    limit = f'max="{MAX_QUANTITY_PER_LINE}"'
    menu = client.get(bastille.url).content.decode()  # the menu's "+" adds one at a time: no quantity input there
    assert 'name="quantity" value="1"' in menu and 'type="number"' not in menu
    add(
        client, bastille, size_of("coca-cola"), MAX_QUANTITY_PER_LINE
    )  # the cart's steppers: "+" stops there, and says why
    line = BeautifulSoup(client.get(CART).content, "html.parser").select_one("[data-line]")
    assert (
        line.select("[data-step]")[1].has_attr("disabled")
        and f"{MAX_QUANTITY_PER_LINE} au plus par article" in line.get_text()
    )
    order = place_order(
        bastille,
        {size_of("reine").pk: 2},
        OrderDetails(fulfilment="pickup", name="Léa", phone="0612345678", email="lea@example.fr"),
    )
    assert limit in client.get(f"/commande/suivi/{order.tracking_token}/modifier/").content.decode()
