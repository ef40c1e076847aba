"""Past orders and "order again" (issue 16): the order's items go back in the cart
through the cart's own checks (today's menu, prices, stock), and the customer is
told what changed; another customer's order, or garbage, changes nothing."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from home.models import MenuItem, Product
from ordering.models import Order, Stock
from ordering.services import OrderDetails, place_order
from tests.conftest import size_of, text_of

pytestmark = pytest.mark.django_db
MY_ORDERS, CART = "/commande/compte/commandes/", "/commande/panier/"
PASSWORD = "Pizza-Reine-2026"


@pytest.fixture
def camille(django_user_model):
    return django_user_model.objects.create_user("camille@example.fr", "camille@example.fr", PASSWORD)


@pytest.fixture
def customer(client, camille):
    client.force_login(camille)
    return client


def order_for(user, restaurant, quantities):
    details = OrderDetails(
        fulfilment="pickup", name="Camille", phone="0612345678", email="camille@example.fr", customer=user
    )
    return place_order(restaurant, {size.pk: quantity for size, quantity in quantities.items()}, details)


def reorder_url(order_id):
    return f"/commande/compte/commandes/{order_id}/recommander/"


def cart_of(client):
    cart = client.session.get("cart") or {}
    return cart.get("restaurant"), {int(k): v for k, v in (cart.get("lines") or {}).items()}


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def set_stock(restaurant, ingredient, quantity):
    Stock.objects.filter(restaurant=restaurant, ingredient__name=ingredient).update(quantity=Decimal(quantity))


def test_my_orders_lists_the_customers_orders_only_newest_first(customer, camille, bastille, django_user_model):
    first = order_for(camille, bastille, {size_of("reine", "Méga 40 cm"): 2})
    last = order_for(camille, bastille, {size_of("margherita"): 1, size_of("coca-cola"): 2})
    other = order_for(
        django_user_model.objects.create_user("lea@example.fr", "lea@example.fr", PASSWORD),
        bastille,
        {size_of("diavola"): 1},
    )
    response = customer.get(MY_ORDERS)
    text = text_of(response)
    assert response.context["last"] == last and response.context["earlier"] == [first]
    assert other.number not in text
    for expected in (
        "Votre dernière commande",
        "OC Pizza Bastille",
        "1 × Margherita Junior 26 cm",
        "2 × Coca-Cola 33 cl",
        "2 × Reine Méga 40 cm",
        "Commande passée",
        "À emporter",
        "Recommander",
        last.number,
    ):
        assert expected in text, expected
    assert "14,50\u00a0€" in text and "36,00\u00a0€" in text  # the totals: 9,50 + 2 × 2,50 and 2 × 18,00


def test_my_orders_makes_the_same_queries_for_1_or_12_orders(client, camille, bastille, django_assert_num_queries):
    client.force_login(camille)
    order_for(camille, bastille, {size_of("reine"): 1, size_of("coca-cola"): 1})
    client.get(MY_ORDERS)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(MY_ORDERS).status_code == 200
    for _n in range(11):
        order_for(camille, bastille, {size_of("margherita"): 1, size_of("diavola"): 2, size_of("coca-cola"): 1})
    with django_assert_num_queries(len(one)):
        assert client.get(MY_ORDERS).status_code == 200


def test_my_orders_without_an_order_says_so_and_offers_the_restaurants(customer):
    response = customer.get(MY_ORDERS)
    assert "Aucune commande pour l'instant" in text_of(response) and 'href="/#restaurants"' in response.content.decode()


def test_my_orders_asks_to_log_in_first(client):
    response = client.get(MY_ORDERS)
    assert (
        response.status_code == 302
        and response["Location"] == "/commande/compte/connexion/?next=/commande/compte/commandes/"
    )


def test_order_again_with_nothing_changed_fills_the_cart_and_says_so(customer, camille, bastille):
    reine, coca = size_of("reine", "Méga 40 cm"), size_of("coca-cola")
    order = order_for(camille, bastille, {reine: 2, coca: 1})
    response = customer.post(reorder_url(order.pk))
    assert response.status_code == 302 and response["Location"] == CART
    assert cart_of(customer) == (bastille.pk, {reine.pk: 2, coca.pk: 1})
    [(level, text)] = messages_of(response)
    assert level == "success" and "est dans votre panier, aux mêmes prix" in text and "OC Pizza Bastille" in text
    cart = customer.get(CART)
    assert "Reine" in text_of(cart) and "38,50\u00a0€" in text_of(cart)  # 2 × 18,00 + 2,50


def test_order_again_says_what_changed_price_menu_and_stock(customer, camille, bastille):
    reine, margherita, coca = size_of("reine", "Méga 40 cm"), size_of("margherita"), size_of("coca-cola")
    order = order_for(camille, bastille, {reine: 1, margherita: 2, coca: 3})
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").update(
        price_override=Decimal("12.00")
    )  # Méga: 18,50
    MenuItem.objects.filter(restaurant=bastille, product__slug="margherita").delete()
    set_stock(bastille, "Canette Coca-Cola 33 cl", 2)
    response = customer.post(reorder_url(order.pk))
    assert response.status_code == 302 and response["Location"] == CART
    assert cart_of(customer) == (bastille.pk, {reine.pk: 1, coca.pk: 2})
    said = messages_of(response)
    assert said[0][0] == "info" and "Ce qui a changé" in said[0][1]
    assert said[1:] == [  # the order's lines in their order, then the prices
        ("warning", "Coca-Cola 33 cl : 2 au lieu de 3 : il n'en reste que 2."),
        ("warning", "Margherita Junior 26 cm n'est plus à la carte."),
        ("warning", "Reine Méga 40 cm : prix passé de 18,00\u00a0€ à 18,50\u00a0€."),
    ]
    assert "18,50\u00a0€" in text_of(customer.get(CART))  # the cart shows today's price


def test_order_again_drops_sold_out_unpublished_and_deleted_items(customer, camille, bastille):
    reine, diavola, tiramisu, coca = size_of("reine"), size_of("diavola"), size_of("tiramisu"), size_of("coca-cola")
    order = order_for(camille, bastille, {reine: 1, diavola: 1, tiramisu: 1, coca: 1})
    set_stock(bastille, "Jambon blanc", 0)
    Product.objects.filter(slug="diavola").update(live=False)
    tiramisu.delete()  # the order line keeps its name and price, its size is gone
    response = customer.post(reorder_url(order.pk))
    assert cart_of(customer) == (bastille.pk, {coca.pk: 1})
    said = [text for _level, text in messages_of(response)[1:]]
    assert said == [
        "Diavola Junior 26 cm n'est plus à la carte.",
        "Reine Junior 26 cm : il n'en reste plus pour le moment.",
        "Tiramisu n'est plus à la carte.",
    ]


def test_ingredients_shared_between_lines_are_counted_once(customer, camille, bastille):
    """Calzone and Reine both take ham: what is left after the first line caps the second."""
    reine, calzone = size_of("reine", "Sénior 33 cm"), size_of("calzone", "Sénior 33 cm")  # 80 g of ham each
    order = order_for(camille, bastille, {reine: 2, calzone: 2})
    set_stock(bastille, "Jambon blanc", 240)  # three pizzas' worth
    response = customer.post(reorder_url(order.pk))
    assert sum(cart_of(customer)[1].values()) == 3
    assert any("au lieu de 2" in text for _level, text in messages_of(response))


def test_nothing_left_to_order_keeps_the_cart_as_it_was(customer, camille, bastille):
    reine, coca = size_of("reine"), size_of("coca-cola")
    order = order_for(camille, bastille, {reine: 1})
    customer.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": coca.pk, "quantity": 2})
    customer.get(CART)  # shows (and so forgets) "added to your cart"
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").delete()
    response = customer.post(reorder_url(order.pk))
    assert response.status_code == 302 and response["Location"] == MY_ORDERS
    assert cart_of(customer) == (bastille.pk, {coca.pk: 2})
    levels, texts = zip(*messages_of(response), strict=True)
    assert set(levels) == {"error"} and "Rien de votre commande" in texts[0] and "n'est plus à la carte" in texts[1]


def test_a_restaurant_no_longer_online_is_said_and_nothing_changes(customer, camille, bastille):
    order = order_for(camille, bastille, {size_of("reine"): 1})
    bastille.unpublish()
    response = customer.post(reorder_url(order.pk))
    assert response["Location"] == MY_ORDERS and cart_of(customer) == (None, {})
    assert "OC Pizza Bastille ne prend plus de commandes en ligne" in messages_of(response)[0][1]


def test_order_again_replaces_another_cart_and_says_so(customer, camille, bastille):
    from home.models import RestaurantPage
    from tests.conftest import make_always_open

    nation = RestaurantPage.objects.get(slug="nation")
    make_always_open(nation)
    order = order_for(camille, bastille, {size_of("reine"): 1})
    customer.post("/commande/panier/ajouter/", {"restaurant": nation.pk, "size": size_of("diavola").pk, "quantity": 1})
    customer.get(CART)
    response = customer.post(reorder_url(order.pk))
    assert cart_of(customer) == (bastille.pk, {size_of("reine").pk: 1})
    assert "remplace ce que contenait votre panier" in messages_of(response)[-1][1]
    customer.get(CART)
    again = customer.post(reorder_url(order.pk))  # the same cart again: nothing replaced
    assert not any("remplace" in text for _level, text in messages_of(again))


def test_a_reordered_cart_goes_through_checkout_at_todays_prices(customer, camille, bastille):
    from tests.conftest import delivery_form, issue_checkout_key

    reine = size_of("reine", "Méga 40 cm")
    order = order_for(camille, bastille, {reine: 2})
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").update(price_override=Decimal("12.00"))
    customer.post(reorder_url(order.pk))
    response = customer.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(customer)))
    assert response.status_code == 302
    again = Order.objects.exclude(pk=order.pk).get()
    assert again.customer == camille and again.subtotal == Decimal("37.00")  # 2 × 18,50, not the 18,00 of the first


# --- another customer's order, garbage, the wrong method: nothing changes --------------


def test_another_customers_order_is_a_404_and_changes_nothing(customer, bastille, django_user_model):
    lea = django_user_model.objects.create_user("lea@example.fr", "lea@example.fr", PASSWORD)
    theirs = order_for(lea, bastille, {size_of("reine"): 1})
    guest = order_for(None, bastille, {size_of("reine"): 1})
    for order in (theirs, guest):
        response = customer.post(reorder_url(order.pk))
        assert response.status_code == 404 and cart_of(customer) == (None, {})


@pytest.mark.parametrize(
    "order_id", ["abc", "0", "-1", "4.0", "9" * 40, "9" * 4000, str(2**31), "1e3", "١٢", "🍕", "%00", "1%00", "%20"]
)
def test_garbage_order_ids_are_a_400_and_change_nothing(customer, order_id):
    response = customer.post(reorder_url(order_id))
    assert response.status_code == 400 and cart_of(customer) == (None, {})
    assert "Rien n’a été modifié" in text_of(response)


def test_an_order_that_does_not_exist_is_a_404(customer):
    assert customer.post(reorder_url(2**31 - 1)).status_code == 404


def test_order_again_takes_a_post_only_and_asks_to_log_in(client, camille, bastille):
    order = order_for(camille, bastille, {size_of("reine"): 1})
    anonymous = client.post(reorder_url(order.pk))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(
        "/commande/compte/connexion/?next=/commande/compte/commandes/"
    )
    assert cart_of(client) == (None, {})
    client.force_login(camille)
    assert client.get(reorder_url(order.pk)).status_code == 405 and cart_of(client) == (None, {})


def test_the_order_again_form_needs_the_csrf_token(camille, bastille):
    order = order_for(camille, bastille, {size_of("reine"): 1})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(camille)
    assert strict.post(reorder_url(order.pk)).status_code == 403 and cart_of(strict) == (None, {})
