"""A promotion code at checkout in Chromium: a wrong code is refused by its field with
everything typed kept, a good one shows its line and the new total on the pay button,
and the order placed carries it to the tracking page. Screenshots in test-artifacts/offers/."""

import os
import re

import pytest

from ordering.models import Order
from tests.browser.accessibility import assert_accessible
from tests.browser.test_checkout_journey import CART, EURO, fill_details, give_cart, pay_button
from tests.conftest import committed_db
from tests.offers.helpers import promotion

pytestmark = [pytest.mark.browser, committed_db]


def shoot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "offers")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_a_code_applied_at_checkout(desktop, live_server, bastille, artifacts_dir):
    page = desktop
    promotion(name="Bienvenue −10 %", code="BIENVENUE", value="10", minimum_order="20")
    give_cart(page, live_server, bastille)  # 26,50 € of food, delivery 2,50 €
    page.goto(live_server.url + CART)
    fill_details(page)
    code = page.get_by_label("Votre code (facultatif)")

    code.fill("NIMPORTEQUOI")
    code.press("Enter")  # applies the code (it does not place the order)
    page.locator("[data-promo-refusal]").wait_for()
    assert page.locator("[data-promo-refusal]").inner_text() == "Ce code promo n’existe pas ou n’est plus disponible."
    assert page.get_by_label("Nom").input_value() == "Camille Martin"  # nothing typed is lost
    assert page.get_by_label("Votre code (facultatif)").input_value() == "NIMPORTEQUOI"
    assert not Order.objects.exists()
    shoot(page, artifacts_dir, "code-refused")

    page.get_by_label("Votre code (facultatif)").fill("bienvenue")
    page.get_by_role("button", name="Appliquer").click()
    page.locator("[data-promo-applied]").wait_for()
    assert page.locator("[data-promo-applied]").inner_text() == "Code BIENVENUE appliqué."
    discount = page.locator("[data-discount]:visible")
    assert "Bienvenue −10 %" in discount.inner_text() and f"−2,65{EURO}" in discount.inner_text()
    assert pay_button(page).inner_text() == f"Commander · 26,35{EURO} à payer à la livraison"  # 26,50 + 2,50 − 2,65
    assert page.get_by_label("Nom").input_value() == "Camille Martin"
    assert_accessible(page)
    shoot(page, artifacts_dir, "code-applied")

    pay_button(page).click()
    page.wait_for_url(re.compile(r"/commande/suivi/"))
    order = Order.objects.get()
    assert (order.discount, order.total) == (order.subtotal / 10, order.subtotal + order.delivery_fee - order.discount)
    assert str(order.total) == "26.35"
    assert "Bienvenue −10 %" in page.locator("[data-discount]").inner_text()
    shoot(page, artifacts_dir, "code-tracked")
