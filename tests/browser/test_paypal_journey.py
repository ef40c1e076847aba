"""Paying with PayPal from the menu (the fake PayPal's approval page), on a phone (390×844) and a
laptop (1280×800): approved, cancelled on PayPal's page, declined then paid on delivery instead.
Screenshots of each step in test-artifacts/paypal/."""

import os
import re

import pytest

from ordering.models import Order
from ordering.workflow import Status
from tests.browser.conftest import order_take_away
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


@pytest.fixture(params=["phone", "desktop"])
def device(request, artifacts_dir):
    """The customer's screen: a phone (390×844), then a laptop (1280×800)."""
    page = request.getfixturevalue(request.param)
    folder = os.path.join(artifacts_dir, "paypal")
    os.makedirs(folder, exist_ok=True)
    page.shot = lambda name: page.screenshot(
        path=os.path.join(folder, f"{request.node.name.split('[')[0][5:]}-{name}-{request.param}.png")
    )
    return page


def fill_cart_and_choose_paypal(device, live_server, bastille):
    order_take_away(device, live_server, bastille, ["diavola", "tiramisu"], payment="PayPal")
    device.get_by_text("PAIEMENT DE TEST").wait_for()
    assert "Payer 18.00 EUR" in device.locator("h1").inner_text()
    device.shot("1-paypal-page")


def test_pay_with_paypal_and_follow_the_order(device, live_server, bastille, paypal):
    fill_cart_and_choose_paypal(device, live_server, bastille)
    device.get_by_role("button", name="Approuver le paiement").click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert "paiement est reçu" in device.locator(".messages").inner_text()
    assert device.locator("[data-status-label]").inner_text() == "Commande passée"
    assert "Payée" in device.locator(".track").inner_text()
    order = Order.objects.get()
    assert order.payment_state == Order.PaymentState.PAID and len(paypal.state.captures) == 1
    assert device.locator("[data-cart-count]").first.inner_text() == "0"
    device.shot("2-paid")


def test_cancel_on_paypal_comes_back_to_checkout_with_the_cart(device, live_server, bastille, paypal):
    fill_cart_and_choose_paypal(device, live_server, bastille)
    device.get_by_role("button", name="Annuler et revenir au marchand").click()
    device.wait_for_url("**/commande/panier/")
    assert "Paiement annulé" in device.locator(".messages").inner_text()
    assert device.locator("[data-line]").count() == 2  # the cart is kept
    assert device.get_by_label("Nom").input_value() == "Camille Martin"  # and what was typed
    device.shot("2-back-to-checkout")
    assert Order.objects.get().status == Status.CANCELLED


def test_declined_payment_then_pay_on_delivery(device, live_server, bastille, paypal):
    paypal.state.behaviour = {"decline": True}
    fill_cart_and_choose_paypal(device, live_server, bastille)
    device.get_by_role("button", name="Approuver le paiement").click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert "PayPal a refusé le paiement" in device.locator(".messages").inner_text()
    device.shot("2-declined")
    device.get_by_role("button", name="Payer plutôt à la livraison / au comptoir").click()
    device.locator(".messages", has_text="vous paierez à la livraison").wait_for()
    assert device.locator("[data-status-label]").inner_text() == "Commande passée"
    device.shot("3-paid-on-delivery-instead")
    order = Order.objects.get()
    assert order.status == Status.PLACED and order.payment_method == Order.PaymentMethod.ON_SITE
