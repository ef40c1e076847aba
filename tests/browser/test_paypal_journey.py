import re

import pytest

from ordering.models import Order
from ordering.workflow import Status
from tests.browser.conftest import order_take_away
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


def fill_cart_and_choose_paypal(phone, live_server, bastille):
    order_take_away(phone, live_server, bastille, ["diavola", "tiramisu"], payment="PayPal")
    phone.get_by_text("PAIEMENT DE TEST").wait_for()
    assert "Payer 18.00 EUR" in phone.locator("h1").inner_text()


def test_pay_with_paypal_and_follow_the_order(phone, live_server, bastille, paypal):
    fill_cart_and_choose_paypal(phone, live_server, bastille)
    phone.get_by_role("button", name="Approuver le paiement").click()
    phone.wait_for_url(re.compile(r"/commande/suivi/"))
    assert "paiement est reçu" in phone.locator(".messages").inner_text()
    assert phone.locator("[data-status-label]").inner_text() == "Commande passée"
    assert "Payée" in phone.locator(".track").inner_text()
    order = Order.objects.get()
    assert order.payment_state == Order.PaymentState.PAID and len(paypal.state.captures) == 1
    assert phone.locator("[data-cart-count]").first.inner_text() == "0"


def test_cancel_on_paypal_comes_back_to_checkout_with_the_cart(phone, live_server, bastille, paypal):
    fill_cart_and_choose_paypal(phone, live_server, bastille)
    phone.get_by_role("button", name="Annuler et revenir au marchand").click()
    phone.wait_for_url("**/commande/panier/")
    assert "Paiement annulé" in phone.locator(".messages").inner_text()
    assert phone.locator("[data-line]").count() == 2  # the cart is kept
    assert phone.get_by_label("Nom").input_value() == "Camille Martin"  # and what was typed
    assert Order.objects.get().status == Status.CANCELLED


def test_declined_payment_then_pay_on_delivery(phone, live_server, bastille, paypal):
    paypal.state.behaviour = {"decline": True}
    fill_cart_and_choose_paypal(phone, live_server, bastille)
    phone.get_by_role("button", name="Approuver le paiement").click()
    phone.wait_for_url(re.compile(r"/commande/suivi/"))
    assert "PayPal a refusé le paiement" in phone.locator(".messages").inner_text()
    phone.get_by_role("button", name="Payer plutôt à la livraison / au comptoir").click()
    phone.locator(".messages", has_text="vous paierez à la livraison").wait_for()
    assert phone.locator("[data-status-label]").inner_text() == "Commande passée"
    order = Order.objects.get()
    assert order.status == Status.PLACED and order.payment_method == Order.PaymentMethod.ON_SITE
