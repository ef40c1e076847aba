"""The one-page cart and checkout in Chromium, on a phone (390×844) and a laptop (1280×800):
paid on delivery, with PayPal, PayPal cancelled, take-away at a time, a closed restaurant,
saved addresses, without JavaScript; the keyboard-only journey and the effort counted from
the home page are in test_checkout_effort.py. Screenshots in test-artifacts/checkout/."""

import os
import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from ordering.forms import slot_value
from ordering.models import Order, SavedAddress
from ordering.slots import schedule
from ordering.workflow import Fulfilment, Status
from tests.browser.accessibility import assert_accessible
from tests.conftest import committed_db, make_closed_for, size_of

pytestmark = [pytest.mark.browser, committed_db]

CART = "/commande/panier/"
EURO = "\u00a0€"


@pytest.fixture(params=["phone", "desktop"])
def device(request):
    page = request.getfixturevalue(request.param)
    page.device_name = request.param
    return page


def shoot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "checkout")
    os.makedirs(folder, exist_ok=True)
    # The whole page in one screen (a full-page capture would draw the phone's sticky pay button mid-page).
    viewport = page.viewport_size
    page.set_viewport_size(
        {"width": viewport["width"], "height": page.evaluate("document.documentElement.scrollHeight")}
    )
    page.screenshot(path=os.path.join(folder, f"{name}-{page.device_name}.png"))
    page.set_viewport_size(viewport)


def standard_lines():
    """Two pizzas of different sizes and a drink: 14,50 + 9,50 + 2,50 = 26,50 €."""
    return [
        (size_of("reine", "Sénior 33 cm"), 1),
        (size_of("margherita", "Junior 26 cm"), 1),
        (size_of("coca-cola"), 1),
    ]


def give_cart(page, live_server, restaurant, lines=None, user=None):
    """Puts a cart (and a login) in the browser's session, as the menu would have."""
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.session
    else:
        session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["cart"] = {
        "restaurant": restaurant.pk,
        "lines": {str(size.pk): quantity for size, quantity in lines or standard_lines()},
    }
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def fill_details(page, address=True):
    if address:
        page.get_by_label("Adresse", exact=True).fill("10 rue de Lappe")
        page.get_by_label("Code postal").fill("75011")
    page.get_by_label("Nom").fill("Camille Martin")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("E-mail").fill("camille@example.fr")


def pay_button(page):
    return page.locator("[data-place-order]")


def test_order_paid_on_delivery(device, live_server, bastille, artifacts_dir):
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    assert [n.inner_text() for n in device.locator(".line__name").all()] == ["Reine", "Margherita", "Coca-Cola"]
    assert pay_button(device).inner_text() == f"Commander · 29,00{EURO} à payer à la livraison"
    assert device.get_by_label("Ville").input_value() == "Paris"
    shoot(device, artifacts_dir, "1-cart")
    assert_accessible(device)

    device.evaluate("window.__sameDocument = true")
    device.get_by_role("button", name="Augmenter la quantité de Margherita Junior 26 cm").click()
    device.locator("[data-line] [data-quantity]").nth(1).filter(has_text="2").wait_for()
    assert device.locator("[data-total-delivery]").inner_text() == f"38,50{EURO}"
    assert pay_button(device).inner_text() == f"Commander · 38,50{EURO} à payer à la livraison"
    assert device.evaluate("window.__sameDocument") is True  # updated in place
    assert device.locator("[data-cart-count]").first.inner_text() == "4"
    # The focus stays on the "+" that was pressed, for the next press.
    assert (
        device.evaluate("document.activeElement.getAttribute('aria-label')")
        == "Augmenter la quantité de Margherita Junior 26 cm"
    )

    fill_details(device)
    shoot(device, artifacts_dir, "2-filled")
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    order = Order.objects.get()
    assert (order.fulfilment, order.payment_method, order.total) == (
        "delivery",
        "on_site",
        order.subtotal + bastille.delivery_fee,
    )
    assert str(order.total) == "38.50" and order.requested_for is None
    shoot(device, artifacts_dir, "3-placed")


def test_errors_are_summed_up_at_the_top_with_the_focus_and_nothing_typed_is_lost(
    device, live_server, bastille, artifacts_dir
):
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    device.get_by_label("Adresse", exact=True).fill("10 rue de Lappe")
    device.get_by_label("Code postal").fill("7501")
    device.get_by_label("E-mail").fill("camille@example.fr")
    pay_button(device).click()
    summary = device.locator("[data-error-summary]")
    summary.wait_for()
    assert device.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.get_by_role("heading").inner_text() == "3 choses à corriger avant de commander"
    assert device.get_by_label("Adresse", exact=True).input_value() == "10 rue de Lappe"
    assert device.get_by_label("E-mail").input_value() == "camille@example.fr"
    shoot(device, artifacts_dir, "errors")
    assert_accessible(device)
    summary.get_by_role("link", name="Nom : Indiquez un nom.").click()
    assert device.evaluate("document.activeElement.id") == "id_name"
    device.keyboard.type("Camille Martin")
    device.get_by_label("Téléphone").fill("06 12 34 56 78")
    device.get_by_label("Code postal").fill("75011")
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert Order.objects.get().postcode == "75011"


def test_order_with_paypal(device, live_server, bastille, paypal, artifacts_dir):
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    device.get_by_role("radio", name=re.compile("^PayPal")).check()
    assert pay_button(device).inner_text() == f"Payer 29,00{EURO} avec PayPal"
    fill_details(device)
    shoot(device, artifacts_dir, "paypal-1-checkout")
    pay_button(device).click()
    device.get_by_text("PAIEMENT DE TEST").wait_for()
    assert "Payer 29.00 EUR" in device.locator("h1").inner_text()  # what PayPal asks is what the button said
    device.get_by_role("button", name="Approuver le paiement").click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    order = Order.objects.get()
    assert order.payment_state == Order.PaymentState.PAID and str(order.total) == "29.00"
    shoot(device, artifacts_dir, "paypal-2-paid")


def test_paypal_cancel_comes_back_with_every_field_kept(device, live_server, bastille, paypal, artifacts_dir):
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    device.get_by_role("radio", name=re.compile("^PayPal")).check()
    fill_details(device)
    device.get_by_text("Ajouter une note pour le restaurant").click()
    device.get_by_label("Note pour le restaurant").fill("Interphone Martin")
    pay_button(device).click()
    device.get_by_role("button", name="Annuler et revenir au marchand").click()
    device.wait_for_url("**" + CART)
    assert "Paiement annulé" in device.locator(".messages").inner_text()
    for label, value in (
        ("Nom", "Camille Martin"),
        ("Téléphone", "06 12 34 56 78"),
        ("E-mail", "camille@example.fr"),
        ("Code postal", "75011"),
        ("Note pour le restaurant", "Interphone Martin"),
    ):
        assert device.get_by_label(label).input_value() == value, label
    assert device.get_by_label("Adresse", exact=True).input_value() == "10 rue de Lappe"
    assert device.get_by_role("radio", name=re.compile("^PayPal")).is_checked()
    assert device.locator("[data-line]").count() == 3
    shoot(device, artifacts_dir, "paypal-cancelled")
    assert Order.objects.get().status == Status.CANCELLED
    device.get_by_role("radio", name=re.compile("^À la livraison")).check()
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert Order.objects.filter(status=Status.PLACED).get().note == "Interphone Martin"


def test_take_away_at_a_time_tomorrow(device, live_server, bastille, artifacts_dir):
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    device.get_by_role("radio", name=re.compile("^À emporter")).check()
    assert not device.get_by_label("Adresse", exact=True).is_visible()
    assert device.get_by_text("À retirer chez").is_visible()
    assert not device.locator(".totals").get_by_text("Livraison").is_visible()  # no delivery fee line
    assert pay_button(device).inner_text() == f"Commander · 26,50{EURO} à payer au comptoir"
    device.get_by_text("Plus tard : choisir le jour et l'heure").click()
    device.locator("label[for=day-1]").click()
    tomorrow = device.locator(".slots--1 .slot").filter(has_text="12:00")
    tomorrow.click()
    assert tomorrow.locator("input").is_checked()
    fill_details(device, address=False)
    shoot(device, artifacts_dir, "take-away-slot")
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    order = Order.objects.get()
    expected = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    assert order.fulfilment == Fulfilment.PICKUP and order.requested_for == expected and order.delivery_fee == 0


def test_a_closed_restaurant_says_so_and_delivers_at_its_first_slot(device, live_server, bastille, artifacts_dir):
    make_closed_for(bastille, hours=3)
    first = schedule(bastille)[Fulfilment.DELIVERY].slots[0]
    give_cart(device, live_server, bastille)
    device.goto(live_server.url + CART)
    when = first.strftime("%H:%M") if first.date() == timezone.localdate() else "demain " + first.strftime("%H:%M")
    notice = device.locator(".checkout-head .closed-notice").filter(has_text=f"Fermé — commandez pour {when}")
    assert notice.is_visible()
    assert device.locator(f'input[name=when][value="{slot_value(first)}"]').is_checked()
    assert device.locator(".slot").filter(has=device.locator("input:checked")).inner_text() == first.strftime("%H:%M")
    shoot(device, artifacts_dir, "closed")
    fill_details(device)
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert Order.objects.get().requested_for == first


def test_saved_addresses_are_picked_saved_and_deleted(device, live_server, bastille, artifacts_dir):
    customer = get_user_model().objects.create_user(
        "camille", "camille@example.fr", "Pizza-Reine-2026", first_name="Camille", last_name="Martin"
    )
    SavedAddress.remember(customer, "3 rue Keller", "75011", "Paris")
    give_cart(device, live_server, bastille, user=customer)
    device.goto(live_server.url + CART)
    assert device.get_by_role("radio", name="3 rue Keller, 75011 Paris").is_checked()
    assert not device.get_by_label("Adresse", exact=True).is_visible()  # the saved one is used
    assert device.get_by_label("Nom").input_value() == "Camille Martin"
    assert device.get_by_label("E-mail").input_value() == "camille@example.fr"
    shoot(device, artifacts_dir, "saved-address")
    device.get_by_role("radio", name="Une autre adresse").check()
    device.get_by_label("Adresse", exact=True).fill("10 rue de Lappe")
    device.get_by_label("Code postal").fill("75011")
    device.get_by_label("Enregistrer cette adresse").check()
    device.get_by_label("Téléphone").fill("06 12 34 56 78")
    pay_button(device).click()
    device.wait_for_url(re.compile(r"/commande/suivi/"))
    assert Order.objects.get().street_address == "10 rue de Lappe"
    assert list(SavedAddress.objects.filter(user=customer).values_list("street_address", flat=True)) == [
        "10 rue de Lappe",
        "3 rue Keller",
    ]

    device.goto(live_server.url + "/commande/compte/adresses/")
    assert_accessible(device)
    device.get_by_role("button", name="Supprimer 3 rue Keller, 75011 Paris").click()
    device.locator(".messages").filter(has_text="supprimée").wait_for()
    assert list(SavedAddress.objects.filter(user=customer).values_list("street_address", flat=True)) == [
        "10 rue de Lappe"
    ]
    shoot(device, artifacts_dir, "my-addresses")


def test_without_javascript_steppers_keep_what_was_typed(browser, live_server, bastille, artifacts_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.device_name = "phone-nojs"
    page.set_default_timeout(10_000)
    try:
        give_cart(page, live_server, bastille)
        page.goto(live_server.url + CART)
        fill_details(page)
        page.get_by_role("button", name="Augmenter la quantité de Reine Sénior 33 cm").click()
        page.wait_for_load_state()
        assert page.locator("[data-line] [data-quantity]").first.inner_text() == "2"
        assert page.get_by_label("Nom").input_value() == "Camille Martin"
        assert page.get_by_label("Adresse", exact=True).input_value() == "10 rue de Lappe"
        page.get_by_role("button", name="Retirer Coca-Cola 33 cl").click()
        page.wait_for_load_state()
        assert page.locator("[data-line]").count() == 2
        page.get_by_role("radio", name=re.compile("^À emporter")).check()
        assert pay_button(page).inner_text() == f"Commander · 38,50{EURO} à payer au comptoir"  # CSS alone
        shoot(page, artifacts_dir, "no-javascript")
        pay_button(page).click()
        page.wait_for_url(re.compile(r"/commande/suivi/"))
        order = Order.objects.get()
        assert order.fulfilment == Fulfilment.PICKUP and str(order.total) == "38.50" and order.name == "Camille Martin"
    finally:
        context.close()


def test_an_empty_cart_says_so(device, live_server, demo_committed):
    device.goto(live_server.url + CART)
    assert device.locator("h1").inner_text() == "Votre panier"
    assert "Votre panier est vide." in device.locator("main").inner_text()
    assert_accessible(device)


def test_a_time_delivery_cannot_keep_is_replaced_when_switching_to_delivery(phone, live_server, bastille):
    give_cart(phone, live_server, bastille)
    phone.goto(live_server.url + CART)
    phone.get_by_role("radio", name=re.compile("^À emporter")).check()
    phone.get_by_text("Plus tard : choisir le jour et l'heure").click()
    earliest = phone.locator(".slots--0 .slot.if-pickup").first  # ready in time for take-away, too early for a delivery
    earliest.click()
    phone.get_by_role("radio", name=re.compile("^Livraison")).check()
    assert phone.locator("#when-asap").is_checked()
    phone.locator("[data-announce]").filter(has_text="Heure changée : Dès que possible").wait_for()


def test_an_order_from_another_restaurant_asks_before_emptying_the_cart(phone, live_server, bastille):
    from home.models import RestaurantPage

    nation = RestaurantPage.objects.get(slug="nation")
    give_cart(phone, live_server, bastille)
    phone.goto(live_server.url + nation.url)
    phone.locator("#margherita").get_by_role("button", name="Ajouter").click()
    phone.get_by_role("heading", name="Vider votre panier ?").wait_for()
    assert_accessible(phone)
    phone.get_by_role("link", name="Garder mon panier").click()
    phone.wait_for_url("**" + CART)
    assert phone.locator("[data-line]").count() == 3
