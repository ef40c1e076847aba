"""Restaurant staff: who may see and do what, where; the kitchen board and the delivery screen."""

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from home.models import Category, RestaurantPage
from ordering import board_version
from ordering.models import Order
from ordering.services import OrderDetails, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.conftest import issue_checkout_key, size_of

pytestmark = pytest.mark.django_db
ROLES = ["gerant-bastille", "pizzaiolo-bastille", "livreur-bastille", "comptoir-bastille", "siege"]


def order_at(restaurant, fulfilment=Fulfilment.DELIVERY, **extra):
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
    return place_order(restaurant, {size_of("reine").pk: 2}, details)


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def nation():
    return RestaurantPage.objects.get(slug="nation")


def move(client, order, status, **extra):
    return client.post(f"/admin/cuisine/commande/{order.pk}/etape/", {"status": status, **extra})


# Who may move an order of their own restaurant from one status to the next.
ALLOWED_MOVES = {
    "gerant-bastille": {"in_preparation", "ready", "out_for_delivery", "delivered", "cancelled"},
    "pizzaiolo-bastille": {"in_preparation", "ready"},
    "livreur-bastille": {"out_for_delivery", "delivered"},
    "comptoir-bastille": set(),  # no take-away step on a delivery order
    "siege": set(),
}
PATH = [
    ("in_preparation", Status.PLACED),
    ("ready", Status.IN_PREPARATION),
    ("out_for_delivery", Status.READY),
    ("delivered", Status.OUT_FOR_DELIVERY),
]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("target, from_status", PATH + [("cancelled", Status.PLACED)])
def test_permission_matrix_for_moves_in_own_and_other_restaurant(
    client, bastille, nation, username, target, from_status
):
    login(client, username)
    for restaurant in (bastille, nation):
        order = order_at(restaurant)
        Order.objects.filter(pk=order.pk).update(status=from_status)
        response = move(client, order, target, collected_with="cash")
        own = restaurant == bastille or username == "siege"
        allowed = own and target in ALLOWED_MOVES[username] and restaurant == bastille
        assert Order.objects.get(pk=order.pk).status == (target if allowed else from_status), (
            username,
            restaurant.slug,
        )
        assert response.status_code == (302 if allowed else 403), (username, restaurant.slug, target)


def test_take_away_is_handed_over_by_the_counter(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP)
    Order.objects.filter(pk=order.pk).update(status=Status.READY)
    assert move(login(client, "livreur-bastille"), order, "collected", collected_with="cash").status_code == 403
    # Since issue 9 the counter records how a take-away paid at the counter was paid.
    assert move(login(client, "comptoir-bastille"), order, "collected", collected_with="cash").status_code == 302
    assert Order.objects.get(pk=order.pk).status == Status.COLLECTED


def move_json(client, order, status, **extra):
    return client.post(
        f"/admin/cuisine/commande/{order.pk}/etape/", {"status": status, **extra}, HTTP_ACCEPT="application/json"
    )


def test_counter_hand_over_records_the_payment(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP)
    Order.objects.filter(pk=order.pk).update(status=Status.READY)
    login(client, "comptoir-bastille")
    board_html = client.get(f"/admin/cuisine/{bastille.pk}/colonnes/").content.decode()
    assert 'name="collected_with"' in board_html and "À encaisser" in board_html
    refused = move_json(client, order, "collected")  # how was it paid?
    assert refused.status_code == 409 and "espèces ou carte" in refused.json()["error"]
    order.refresh_from_db()
    assert (order.status, order.payment_state, order.collected_with) == (Status.READY, Order.PaymentState.PENDING, "")
    assert move_json(client, order, "collected", collected_with="card").status_code == 200
    order.refresh_from_db()
    assert (order.status, order.payment_state, order.collected_with) == (
        Status.COLLECTED,
        Order.PaymentState.PAID,
        "card",
    )
    assert order.status_changes.last().by.username == "comptoir-bastille"


def test_refused_hand_over_writes_nothing(client, bastille):
    """A courier posting "delivered" + cash on a placed order: 409 and the order is not paid."""
    order = order_at(bastille)
    login(client, "livreur-bastille")
    response = move_json(client, order, "delivered", collected_with="cash")
    assert response.status_code == 409
    order.refresh_from_db()
    assert (order.status, order.payment_state, order.collected_with) == (Status.PLACED, Order.PaymentState.PENDING, "")


def test_refused_take_delivery_assigns_no_courier(client, bastille):
    order = order_at(bastille)
    login(client, "livreur-bastille")
    assert move_json(client, order, "out_for_delivery").status_code == 409
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.courier is None


def test_a_courier_cannot_hand_over_a_take_away_as_delivered(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP)
    Order.objects.filter(pk=order.pk).update(status=Status.READY)
    login(client, "livreur-bastille")
    assert move_json(client, order, "delivered", collected_with="cash").status_code == 409
    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.READY, Order.PaymentState.PENDING)


@pytest.mark.parametrize(
    "username, own_status, other_status",
    [
        ("gerant-bastille", 200, 403),
        ("pizzaiolo-bastille", 200, 403),
        ("livreur-bastille", 200, 403),
        ("comptoir-bastille", 200, 403),
        ("siege", 200, 200),
        ("pizzaiolo-nation", 403, 200),
    ],
)
def test_boards_are_visible_only_in_own_restaurant(client, bastille, nation, username, own_status, other_status):
    order_at(bastille)
    login(client, username)
    for restaurant, expected in ((bastille, own_status), (nation, other_status)):
        assert client.get(f"/admin/cuisine/{restaurant.pk}/").status_code == expected
        assert client.get(f"/admin/cuisine/{restaurant.pk}/colonnes/").status_code == expected


@pytest.mark.parametrize(
    "username, expected",
    [("livreur-bastille", 200), ("gerant-bastille", 200), ("pizzaiolo-bastille", 403), ("comptoir-bastille", 403)],
)
def test_delivery_screen_is_for_couriers_and_managers(client, bastille, username, expected):
    assert login(client, username).get(f"/admin/cuisine/livraisons/{bastille.pk}/").status_code == expected


def test_a_pizzaiolo_cannot_see_or_guess_another_restaurants_order(client, bastille, nation):
    secret = order_at(nation)
    login(client, "pizzaiolo-bastille")
    board_html = client.get(f"/admin/cuisine/{bastille.pk}/").content.decode()
    assert secret.number not in board_html
    assert move(client, secret, "in_preparation").status_code == 403
    assert client.get(f"/admin/cuisine/{nation.pk}/colonnes/").status_code == 403
    assert Order.objects.get(pk=secret.pk).status == Status.PLACED


def test_customers_and_marketing_have_no_staff_screens(client, bastille):
    order = order_at(bastille)
    assert client.get(f"/admin/cuisine/{bastille.pk}/").status_code == 302  # to the login page
    login(client, "marketing")
    assert client.get(f"/admin/cuisine/{bastille.pk}/").status_code == 403
    assert move(client, order, "in_preparation").status_code == 403


def test_kitchen_board_shows_recipes_and_moves_in_one_tap(client, bastille):
    order = order_at(bastille)
    login(client, "pizzaiolo-bastille")
    page = client.get(f"/admin/cuisine/{bastille.pk}/").content.decode()
    assert order.number in page and "Jambon blanc" in page and "Champignons" in page
    assert "Jambon en lanières, champignons émincés" in page  # the preparation steps
    assert "90 grammes Mozzarella" in page  # Junior size: 75 % of 120 g
    move(client, order, "in_preparation")
    assert Order.objects.get(pk=order.pk).status == Status.IN_PREPARATION


def test_board_polling_answers_204_until_an_order_changes(client, bastille):
    login(client, "pizzaiolo-bastille")
    url = f"/admin/cuisine/{bastille.pk}/colonnes/"
    first = client.get(url)
    version = first["X-Board-Version"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"v": version}).status_code == 204
    assert not [q for q in queries.captured_queries if "ordering_order" in q["sql"]]
    order_at(bastille)
    board_version.bump(bastille.pk)  # place_order bumps on commit; the test transaction never commits
    changed = client.get(url, {"v": version})
    assert changed.status_code == 200 and changed["X-Board-Version"] != version


def test_board_refresh_queries_do_not_grow_with_orders(client, bastille):
    login(client, "pizzaiolo-bastille")
    url = f"/admin/cuisine/{bastille.pk}/colonnes/"
    order_at(bastille)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        order_at(bastille)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('<article class="ticket') == 9
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_delivery_path_with_payment_collected(client, bastille):
    order = order_at(bastille)
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(order, status)
    login(client, "livreur-bastille")
    screen = client.get(f"/admin/cuisine/livraisons/{bastille.pk}/").content.decode()
    assert order.number in screen and "Je la prends" in screen
    move(client, order, "out_for_delivery")
    order.refresh_from_db()
    assert order.status == Status.OUT_FOR_DELIVERY and order.courier.username == "livreur-bastille"
    refused = move(client, order, "delivered")  # how was it paid?
    assert Order.objects.get(pk=order.pk).status == Status.OUT_FOR_DELIVERY
    assert "espèces ou carte" in " ".join(str(m) for m in refused.wsgi_request._messages)
    move(client, order, "delivered", collected_with="card")
    order.refresh_from_db()
    assert (order.status, order.payment_state, order.collected_with) == (
        Status.DELIVERED,
        Order.PaymentState.PAID,
        "card",
    )


def new_order_form(restaurant, **overrides):
    data = {
        "channel": "phone",
        "fulfilment": "delivery",
        "street_address": "3 rue de Lappe",
        "postcode": "75011",
        "city": "Paris",
        "when": "asap",
        "name": "M. Dupont",
        "phone": "01 43 55 00 00",
        "email": "",
        "payment_method": "on_site",
        "checkout_key": "9" * 32,
        f"size_{size_of('reine').pk}": "2",
        f"size_{size_of('coca-cola').pk}": "1",
    }
    data.update(overrides)
    return data


def test_phone_order_follows_the_website_rules_and_life(client, bastille):
    login(client, "comptoir-bastille")
    url = f"/admin/cuisine/{bastille.pk}/nouvelle-commande/"
    assert client.get(url).status_code == 200
    response = client.post(url, new_order_form(bastille, checkout_key=issue_checkout_key(client, "9" * 32)))
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert (order.channel, order.payment_method, order.email) == ("phone", "on_site", "")
    assert order.total == 2 * size_of("reine").price + size_of("coca-cola").price + bastille.delivery_fee
    assert order.status_changes.get().by.username == "comptoir-bastille"
    assert order.stock_movements.filter(reason="order").exists()
    assert client.post(url, new_order_form(bastille)).status_code == 302 and Order.objects.count() == 1  # double submit


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"postcode": "75001"}, "ne livre pas au 75001"),
        ({"phone": "x"}, "numéro de téléphone valide"),
        ({f"size_{0}": "1"}, None),  # an unknown field is ignored, not trusted
    ],
)
def test_phone_order_bad_input(client, bastille, overrides, message):
    login(client, "comptoir-bastille")
    issue_checkout_key(client, "9" * 32)
    response = client.post(f"/admin/cuisine/{bastille.pk}/nouvelle-commande/", new_order_form(bastille, **overrides))
    if message:
        assert response.status_code == 400 and message in response.content.decode() and not Order.objects.exists()
    else:
        assert response.status_code == 302


def test_phone_order_out_of_stock_writes_nothing(client, bastille):
    from ordering.models import Stock

    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=10)
    login(client, "comptoir-bastille")
    issue_checkout_key(client, "9" * 32)
    response = client.post(f"/admin/cuisine/{bastille.pk}/nouvelle-commande/", new_order_form(bastille))
    assert response.status_code == 400 and "Reine" in response.content.decode() and not Order.objects.exists()


@pytest.mark.parametrize(
    "username, expected",
    [
        ("comptoir-bastille", 200),
        ("gerant-bastille", 200),
        ("pizzaiolo-bastille", 403),
        ("livreur-bastille", 403),
        ("siege", 403),
    ],
)
def test_phone_orders_are_for_counter_staff_and_managers(client, bastille, username, expected):
    assert login(client, username).get(f"/admin/cuisine/{bastille.pk}/nouvelle-commande/").status_code == expected


@pytest.mark.parametrize(
    "username, sees_bastille, sees_nation",
    [
        ("gerant-bastille", True, False),
        ("pizzaiolo-bastille", True, False),
        ("livreur-bastille", True, False),
        ("comptoir-bastille", True, False),
        ("siege", True, True),
        ("pizzaiolo-nation", False, True),
    ],
)
def test_orders_list_and_detail_show_only_own_restaurants(
    client, bastille, nation, username, sees_bastille, sees_nation
):
    ours, theirs = order_at(bastille), order_at(nation)
    login(client, username)
    listing = client.get("/admin/ordering/order/").content.decode()
    for order, visible in ((ours, sees_bastille), (theirs, sees_nation)):
        assert (order.number in listing) is visible, order.number
        detail = client.get(f"/admin/ordering/order/inspect/{order.pk}/")
        assert (detail.status_code == 200) is visible
        if visible:
            assert "Historique des statuts" in detail.content.decode()


def test_orders_list_search_and_filters(client, bastille):
    order = order_at(bastille)
    login(client, "gerant-bastille")
    for query in (order.number, "0612345678", "Léa"):
        assert order.number in client.get("/admin/ordering/order/", {"q": query}).content.decode(), query
    assert order.number not in client.get("/admin/ordering/order/", {"q": "nobody"}).content.decode()
    assert order.number in client.get("/admin/ordering/order/", {"status__exact": "placed"}).content.decode()
    assert order.number not in client.get("/admin/ordering/order/", {"status__exact": "ready"}).content.decode()
    assert client.get(f"/admin/ordering/order/edit/{order.pk}/").status_code in (302, 403, 404)  # no editing by hand


def test_only_administrators_assign_staff_to_restaurants(client, bastille):
    assert login(client, "admin").get("/admin/snippets/ordering/staffmember/").status_code == 200
    for username in ("gerant-bastille", "marketing"):
        assert login(client, username).get("/admin/snippets/ordering/staffmember/").status_code == 302


def test_tickets_show_the_amount_due_or_paid_online(client, bastille):
    due = order_at(bastille)
    online = order_at(bastille)
    Order.objects.filter(pk=online.pk).update(
        payment_method=Order.PaymentMethod.PAYPAL, payment_state=Order.PaymentState.PAID
    )
    counter = order_at(bastille, Fulfilment.PICKUP)
    Order.objects.filter(pk__in=[due.pk, online.pk, counter.pk]).update(status=Status.READY)
    from bs4 import BeautifulSoup

    def tickets(html):
        soup = BeautifulSoup(html, "html.parser")
        return {
            t["data-order"]: t.select_one("[data-payment]").get_text(" ", strip=True)
            for t in soup.select("article.ticket")
        }

    due.refresh_from_db()
    amount = f"{due.total:.2f}".replace(".", ",") + "\xa0€"
    for username, url in (
        ("gerant-bastille", f"/admin/cuisine/{bastille.pk}/colonnes/"),
        ("livreur-bastille", f"/admin/cuisine/livraisons/{bastille.pk}/"),
    ):
        shown = tickets(login(client, username).get(url).content.decode())
        assert shown[due.number] == f"À encaisser : {amount}", username
        assert shown[online.number] == "Payé en ligne", username
    assert tickets(client.get(f"/admin/cuisine/{bastille.pk}/colonnes/").content.decode())[counter.number].startswith(
        "À encaisser"
    )


def test_the_kitchen_buttons_speak_the_language_of_each_request(client, bastille):
    order_at(bastille)
    login(client, "pizzaiolo-bastille")
    url = f"/admin/cuisine/{bastille.pk}/colonnes/"
    assert ">Commencer</button>" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Start</button>" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Commencer</button>" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_the_recipe_sheet_shows_what_the_kitchen_makes_whatever_the_categories(client, bastille):
    """Products with preparation steps or a recipe of several ingredients; not a can
    of soda or a dessert portion. Category slugs play no part."""
    url = f"/admin/cuisine/recettes/{bastille.pk}/"
    login(client, "pizzaiolo-bastille")
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "<h2>Reine</h2>" in page and "<h2>Margherita</h2>" in page
        assert "Coca-Cola" not in page and "Tiramisu" not in page
        Category.objects.update(slug=Concat("slug", Value("-renamed")))
