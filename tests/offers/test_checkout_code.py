"""The promotion code on the one-page checkout: applied, refused with a clear message
(fields kept), hostile input answered 400 with nothing changed; and paid with PayPal,
captured minus refunded stays the total through changes and cancellation."""

from decimal import Decimal

import pytest

from offers.models import Promotion, Redemption
from ordering.models import Order, PayPalRefund
from ordering.services import cancel_by_customer, change_order
from tests.conftest import delivery_form, form_values, issue_checkout_key, size_of, text_of
from tests.offers.helpers import promotion
from tests.payments.money import assert_money_invariant
from tests.payments.test_paypal import approve, come_back

pytestmark = pytest.mark.django_db
CART, ADD, CHECKOUT = "/commande/panier/", "/commande/panier/ajouter/", "/commande/valider/"


@pytest.fixture
def cart(client, bastille):
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine", "Méga 40 cm").pk, "quantity": 1})
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 2})
    issue_checkout_key(client)
    return client  # 37,00\u00a0€ of food, delivery 2,50\u00a0€


def test_applying_a_code_shows_its_line_and_the_totals(cart):
    promotion(name="Bienvenue −10 %", code="BIENVENUE", value="10")
    response = cart.post(CHECKOUT, delivery_form(promo_code="bienvenue", apply_code="1", note="Sonnez fort"))
    assert response.status_code == 302 and response["Location"].startswith(CART)
    assert not Order.objects.exists()
    page = cart.get(CART)
    text = text_of(page)
    assert "Bienvenue −10 % −3,70\u00a0€" in text
    assert "Code BIENVENUE appliqué." in text
    assert "Commander · 35,80\u00a0€ à payer à la livraison" in text  # 37,00 + 2,50 − 3,70
    values = form_values(page.content.decode(), "form[data-checkout]")
    assert values["promo_code"] == "bienvenue" and values["note"].strip() == "Sonnez fort"  # fields kept


def test_a_refused_code_says_why_and_keeps_the_fields(cart):
    promotion(code="GROSSE", minimum_order=Decimal("50"))
    response = cart.post(CHECKOUT, delivery_form(promo_code="GROSSE", apply_code="1", name="Camille Martin"))
    assert response.status_code == 400
    assert "Cette promotion demande une commande de 50,00\u00a0€ ; ajoutez 13,00\u00a0€." in text_of(response)
    values = form_values(response.content.decode(), "form[data-checkout]")
    assert values["promo_code"] == "GROSSE" and values["name"] == "Camille Martin"
    # Placing the order with it anyway: refused by the field, nothing written.
    response = cart.post(CHECKOUT, delivery_form(promo_code="GROSSE"))
    assert response.status_code == 400 and "ajoutez 13,00" in text_of(response)
    assert not Order.objects.exists()


def test_placing_the_order_with_a_code(cart):
    promotion(name="Livraison offerte", code="LIVRAISON", kind=Promotion.Kind.FREE_DELIVERY, value="0")
    response = cart.post(CHECKOUT, delivery_form(promo_code="livraison"))
    order = Order.objects.get()
    assert response.status_code == 302 and (order.discount, order.total) == (Decimal("2.50"), Decimal("37.00"))
    text = text_of(cart.get(order.get_tracking_url()))
    assert "Livraison offerte −2,50\u00a0€" in text and "37,00\u00a0€" in text


def test_a_used_up_code(cart):
    promotion(code="UNIQUE", max_uses=1)
    cart.post(CHECKOUT, delivery_form(promo_code="UNIQUE", email="first@example.fr"))
    assert Redemption.objects.count() == 1
    cart.post(ADD, {"restaurant": Order.objects.get().restaurant_id, "size": size_of("margherita").pk, "quantity": 3})
    key = issue_checkout_key(cart, "c" * 32)
    response = cart.post(CHECKOUT, delivery_form(promo_code="UNIQUE", checkout_key=key))
    assert response.status_code == 400
    assert "Cette promotion a déjà été utilisée autant de fois que prévu." in text_of(response)
    assert Order.objects.count() == 1


HOSTILE = [
    "A" * 10_000,
    "PROMO\x00",
    "\x00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "ÉTÉ😀",
    "../../etc/passwd",
    " " * 50,
]


@pytest.mark.parametrize("code", HOSTILE)
def test_hostile_codes_get_a_clear_error_and_change_nothing(cart, code):
    promotion(code="VRAI")
    response = cart.post(CHECKOUT, delivery_form(promo_code=code))
    assert response.status_code in (302, 400)
    if code.strip():
        assert response.status_code == 400
        assert not Order.objects.exists() and not Redemption.objects.exists()
        assert "code" in text_of(response).lower() or "caractères" in text_of(response)
    response = cart.post(CHECKOUT, delivery_form(promo_code=code, apply_code="1"))
    assert response.status_code in (302, 400)
    assert Order.objects.count() <= 1 and not Redemption.objects.exists()


def test_paid_online_with_a_code_then_changed_and_cancelled_keeps_the_books(
    cart, paypal, django_capture_on_commit_callbacks
):
    promotion(name="Moins 5 €", code="CINQ", kind=Promotion.Kind.FIXED, value="5")
    key = issue_checkout_key(cart, "b" * 32)
    cart.post(CHECKOUT, delivery_form(payment_method="paypal", checkout_key=key, promo_code="CINQ"))
    order = Order.objects.get(checkout_key=key)
    assert order.total == Decimal("34.50")  # 37 + 2,50 − 5
    [call] = [r for r in paypal.state.requests if r["path"] == "/v2/checkout/orders"]
    amount = call["json"]["purchase_units"][0]["amount"]
    assert amount["value"] == "34.50" and amount["breakdown"]["discount"]["value"] == "5.00"
    come_back(cart, order, approve(paypal, order))
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID
    assert_money_invariant()

    with django_capture_on_commit_callbacks(execute=True):
        order = change_order(order, {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 1})
    assert order.total == Decimal("25.00")  # 27,50 + 2,50 − 5
    assert PayPalRefund.objects.get().amount == Decimal("9.50")
    assert_money_invariant()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_customer(order)
    assert sum(r.amount for r in PayPalRefund.objects.all()) == Decimal("34.50")
    assert not Redemption.objects.exists()  # the use is given back
    assert_money_invariant()


def test_the_change_page_shows_the_promotions_recomputed(client, bastille):
    from ordering.services import OrderDetails, place_order

    promotion(name="Moins 10 %", code="DIX", value="10", minimum_order=Decimal("25"))
    order = place_order(
        bastille,
        {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 2},
        OrderDetails(fulfilment="pickup", name="Camille", phone="0612345678", email="c@example.fr", promo_code="DIX"),
    )
    page = f"/commande/suivi/{order.tracking_token}/modifier/"
    text = text_of(client.get(page))
    assert "Moins 10 % −3,70\u00a0€" in text and "33,30\u00a0€" in text  # 37,00 − 3,70
    margherita, reine = size_of("margherita"), size_of("reine", "Méga 40 cm")
    response = client.post(page, {f"size_{reine.pk}": 0, f"size_{margherita.pk}": 2})  # 19,00 €: under the minimum
    assert response.status_code == 400
    assert "ne s’applique plus (minimum 25,00\u00a0€)" in text_of(response)
    order.refresh_from_db()
    assert order.total == Decimal("33.30") and order.lines.count() == 2
