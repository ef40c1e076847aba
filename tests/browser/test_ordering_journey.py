import os
import re

import pytest

from ordering.models import Order, Stock
from ordering.services import OrderDetails, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, size_of

pytestmark = [pytest.mark.browser, committed_db]


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def test_guest_orders_for_delivery_changes_then_cancels(phone, live_server, bastille, artifacts_dir):
    initial = levels(bastille)
    phone.goto(live_server.url + bastille.url)

    reine = phone.locator("#reine")
    reine.get_by_label("Sénior 33 cm").check()
    reine.get_by_role("button", name="Ajouter").click()
    phone.locator("[data-cart-count]").filter(has_text="1").wait_for()
    phone.locator("#margherita").get_by_role("button", name="Ajouter").click()
    phone.locator("[data-cart-count]").filter(has_text="2").wait_for()

    phone.get_by_role("link", name=re.compile("Panier")).click()  # the cart is the checkout page
    assert phone.locator("[data-subtotal]").inner_text() == "24,00\u00a0€"

    phone.get_by_role("radio", name=re.compile("^Livraison")).check()
    phone.get_by_label("Adresse", exact=True).fill("10 rue de Lappe")
    phone.get_by_label("Code postal").fill("75011")
    phone.get_by_label("Ville").fill("Paris")
    phone.get_by_label("Nom").fill("Camille Martin")
    phone.get_by_label("Téléphone").fill("06 12 34 56 78")
    phone.get_by_label("E-mail").fill("camille@example.fr")
    phone.get_by_role("button", name="Commander · 26,50\u00a0€ à payer à la livraison").click()

    phone.wait_for_url(re.compile(r"/commande/suivi/[\w-]+/$"))
    assert phone.locator("[data-status-label]").inner_text() == "Commande passée"
    order = Order.objects.get()
    assert order.total == order.subtotal + bastille.delivery_fee and order.lines.count() == 2
    assert "26,50\u00a0€" in phone.locator("[data-total]").inner_text()
    phone.screenshot(path=os.path.join(artifacts_dir, "tracking-phone.png"), full_page=True)

    phone.get_by_role("link", name="Modifier ma commande").click()
    phone.get_by_label("Reine Sénior 33 cm").fill("2")
    phone.get_by_role("button", name="Enregistrer les modifications").click()
    phone.wait_for_url("**" + order.get_tracking_url())
    assert "Nouveau total : 41,00\u00a0€" in phone.locator(".messages").inner_text()
    assert "41,00\u00a0€" in phone.locator("[data-total]").inner_text()

    phone.locator("[data-cancel] summary").click()  # "Annuler ma commande": the confirmation opens in the page
    phone.get_by_role("button", name="Oui, annuler la commande").click()
    phone.locator("[data-status-label]", has_text="Annulée").wait_for()
    assert Order.objects.get().status == Status.CANCELLED
    assert levels(bastille) == initial


def test_tracking_page_follows_the_kitchen_without_reload(phone, live_server, bastille):
    details = OrderDetails(fulfilment=Fulfilment.PICKUP, name="Léa", phone="0612345678", email="lea@example.fr")
    order = place_order(bastille, {size_of("diavola").pk: 1}, details)
    phone.goto(live_server.url + order.get_tracking_url())
    assert phone.locator("[data-cancel] summary").is_visible()
    phone.evaluate("window.__notReloaded = true")

    transition(order, Status.IN_PREPARATION)
    phone.locator("[data-status-label]", has_text="En préparation").wait_for(timeout=10_000)
    assert phone.evaluate("window.__notReloaded") is True
    assert not phone.locator("[data-cancel] summary").is_visible()
    assert phone.locator("[data-locked]").is_visible()
