"""A customer customises pizzas in a real browser: options and half-and-half, with
and without JavaScript, then orders; the stock ledger follows what went on them."""

import os
import re

import pytest
from django.db.models import Sum

from ordering.models import Order, Stock, StockMovement
from ordering.options import recipes_for_keys
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def customise_reine(page, live_server, restaurant):
    page.goto(live_server.url + restaurant.url)
    page.locator("#reine").get_by_role("link", name=re.compile("Personnaliser")).click()
    page.wait_for_url(re.compile(r"/commande/personnaliser/\d+/reine/"))
    assert page.locator("h1").inner_text() == "Personnalisez votre Reine"
    page.get_by_role("link", name=re.compile("Sénior 33 cm")).click()  # the size: a link, the page comes back
    page.locator("strong[aria-current]", has_text="Sénior 33 cm").wait_for()
    page.get_by_role("checkbox", name=re.compile("^Lardons")).check()
    page.get_by_role("checkbox", name=re.compile("^Chèvre")).check()
    page.get_by_role("checkbox", name=re.compile("^olives")).check()
    page.get_by_role("radio", name="Moitié Reine / moitié Quatre fromages").check()
    page.get_by_label("Quantité :").fill("2")
    page.get_by_role("button", name="Ajouter au panier").click()
    page.wait_for_url(re.compile(restaurant.url + "(#reine)?$"))


def test_customise_half_and_half_then_order(phone, live_server, bastille, artifacts_dir):
    initial = levels(bastille)
    customise_reine(phone, live_server, bastille)
    assert "Ajouté à votre panier" in phone.locator(".messages").inner_text()
    phone.locator("[data-cart-count]").filter(has_text="2").wait_for()

    phone.goto(live_server.url + "/commande/panier/")
    line = phone.locator("[data-line]").first
    assert "moitié Reine / moitié Quatre fromages, + Chèvre, + Lardons, sans olives" in line.inner_text()
    # The higher half (4 fromages Sénior 15,50 €) + two toppings, the first free (+1,50 €), × 2.
    assert phone.locator("[data-subtotal]").inner_text() == "34,00\u00a0€"
    phone.screenshot(path=os.path.join(artifacts_dir, "customised-cart-phone.png"), full_page=True)

    phone.get_by_label("À emporter").check()
    phone.get_by_label("Nom").fill("Camille Martin")
    phone.get_by_label("Téléphone").fill("06 12 34 56 78")
    phone.get_by_label("E-mail").fill("camille@example.fr")
    phone.locator("[data-place-order]").click()
    phone.wait_for_url(re.compile(r"/commande/suivi/[\w-]+/$"))
    assert "moitié Reine / moitié Quatre fromages" in phone.locator("body").inner_text()

    order = Order.objects.get()
    line = order.lines.get()
    assert (line.quantity, line.unit_price, order.subtotal) == (2, 17, 34)
    used = {name: initial[name] - level for name, level in levels(bastille).items() if initial[name] != level}
    recipe = dict(recipes_for_keys([line.options_key])[line.options_key])
    consumed = dict(
        StockMovement.objects.filter(order=order).values_list("stock__ingredient_id").annotate(net=Sum("delta"))
    )
    assert {i: -net for i, net in consumed.items()} == {i: q * 2 for i, q in recipe.items()}
    assert used["Lardons"] == 80 and used["Pâte à pizza"] == 500 and "Olives noires" not in used


def test_customising_works_without_javascript(browser, live_server, bastille):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        customise_reine(page, live_server, bastille)
        page.goto(live_server.url + "/commande/panier/")
        assert (
            "moitié Reine / moitié Quatre fromages, + Chèvre, + Lardons, sans olives"
            in page.locator("[data-line]").first.inner_text()
        )
        assert page.locator("[data-subtotal]").inner_text() == "34,00\u00a0€"
    finally:
        context.close()
