"""Hostile input on the customer's forms: a clear 400 (or the form with its
errors) that changes nothing, never a 500 (issue 9)."""

import pytest
from django.contrib.auth import get_user_model

from ordering.models import Order, Stock
from tests.conftest import delivery_form, form_values, size_of

pytestmark = pytest.mark.django_db
CART, ADD, UPDATE, CHECKOUT = (
    "/commande/panier/",
    "/commande/panier/ajouter/",
    "/commande/panier/modifier/",
    "/commande/valider/",
)
SIGNUP, LOGIN = "/commande/compte/inscription/", "/commande/compte/connexion/"

NOT_AN_ID = [
    "abc",
    "",
    "4.0",
    "\x00",
    "1\x00",
    "9" * 40,
    "9" * 4000,
    "-1",
    "0",
    str(2**31),
    "1e3",
    " 1",
    "١٢",
    "🍕",
    "None",
]
HOSTILE_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "é" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "١٢٣",
    "-1",
    "99999999999999999999999",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


def stock_levels():
    return list(Stock.objects.order_by("pk").values_list("quantity", flat=True))


@pytest.fixture
def shopper(client, bastille):
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 2})
    return client


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
@pytest.mark.parametrize("restaurant", NOT_AN_ID)
def test_adding_to_the_cart_with_a_bad_restaurant_is_a_clear_400(client, bastille, restaurant, accept):
    response = client.post(
        ADD, {"restaurant": restaurant, "size": size_of("margherita").pk, "quantity": 1}, HTTP_ACCEPT=accept
    )
    assert response.status_code == 400
    if accept == "application/json":
        assert "restaurant" in response.json()["error"]
    else:
        assert "restaurant" in response.content.decode() and "Rien n’a été modifié" in response.content.decode()
    assert client.session.get("cart", {}).get("lines") in (None, {})


def test_a_restaurant_that_is_not_live_is_a_clear_400(client, bastille):
    bastille.unpublish()
    response = client.post(
        ADD, {"restaurant": bastille.pk, "size": size_of("margherita").pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and client.session.get("cart") is None


@pytest.mark.parametrize("field", ["size", "quantity"])
@pytest.mark.parametrize("value", NOT_AN_ID)
def test_adding_a_bad_size_or_quantity_changes_nothing(shopper, bastille, field, value):
    before = dict(shopper.session["cart"]["lines"])
    data = {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1, field: value}
    response = shopper.post(ADD, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert shopper.session["cart"]["lines"] == before


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\x00", "/a\nb", "x" * 5000]
)
def test_the_page_to_go_back_to_stays_on_the_site(client, bastille, target):
    response = client.post(
        ADD, {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 1, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == bastille.url


@pytest.mark.parametrize(
    "field, value", [("size", v) for v in NOT_AN_ID] + [("quantity", v) for v in NOT_AN_ID if v != "0"]
)
def test_updating_the_cart_with_bad_input_is_a_clear_400(shopper, field, value):
    before = dict(shopper.session["cart"]["lines"])
    data = {"size": size_of("margherita").pk, "quantity": 1, field: value}
    for accept in ("application/json", "text/html"):
        response = shopper.post(UPDATE, data, HTTP_ACCEPT=accept)
        assert response.status_code == 400
        assert shopper.session["cart"]["lines"] == before


def test_updating_a_size_that_is_not_in_the_cart_changes_nothing(shopper):
    before = dict(shopper.session["cart"]["lines"])
    response = shopper.post(UPDATE, {"size": size_of("reine").pk, "quantity": 3})
    assert response.status_code == 302 and shopper.session["cart"]["lines"] == before
    assert "pas dans votre panier" in str(list(response.wsgi_request._messages)[-1])


@pytest.mark.parametrize(
    "field",
    [
        "fulfilment",
        "street_address",
        "postcode",
        "city",
        "when",
        "name",
        "phone",
        "email",
        "note",
        "payment_method",
        "checkout_key",
    ],
)
@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_checkout_with_hostile_values_writes_nothing(shopper, field, value):
    key = form_values(shopper.get(CHECKOUT).content.decode(), "form[data-checkout]")["checkout_key"]
    stock = stock_levels()
    response = shopper.post(CHECKOUT, {**delivery_form(checkout_key=key), field: value})
    if response.status_code == 302:  # a value that is fine there (an empty note, a name with quotes...)
        assert Order.objects.count() == 1
        return
    assert response.status_code == 400, response.status_code
    assert Order.objects.count() == 0 and stock_levels() == stock
    assert shopper.session["cart"]["lines"]


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_signup_with_hostile_values_creates_no_account(client, field, value):
    data = {"email": "camille@example.fr", "password": "Pizza-Reine-2026"}
    data[field] = value
    accounts = get_user_model().objects.count()
    response = client.post(SIGNUP, data)
    assert response.status_code in (302, 400)
    assert get_user_model().objects.count() == accounts + (response.status_code == 302)


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_login_with_hostile_values_is_refused_without_error(client, django_user_model, field, value):
    django_user_model.objects.create_user("camille", "camille@example.fr", "Pizza-Reine-2026")
    data = {"username": "camille", "password": "Pizza-Reine-2026"}
    data[field] = value
    response = client.post(LOGIN, data)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
