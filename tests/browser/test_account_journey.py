"""The customer's account in a browser (issue 16), on a phone (390×844) and a laptop
(1280×800): sign up and log in with an e-mail address, "Mes commandes", and ordering
the last order again in at most 3 taps, told what changed. axe on every account page;
screenshots in test-artifacts/accounts/."""

import os
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from home.models import MenuItem
from ordering.models import Order, Stock
from ordering.services import OrderDetails, place_order
from tests.browser.accessibility import assert_accessible
from tests.conftest import committed_db, size_of

pytestmark = [pytest.mark.browser, committed_db]
PASSWORD = "Pizza-Reine-2026"


@pytest.fixture(params=["phone", "desktop"])
def device(request):
    page = request.getfixturevalue(request.param)
    page.device_name = request.param
    return page


@pytest.fixture
def shots(artifacts_dir):
    folder = os.path.join(artifacts_dir, "accounts")
    os.makedirs(folder, exist_ok=True)

    def shot(page, name, full_page=False):
        page.screenshot(path=os.path.join(folder, f"{name}-{page.device_name}.png"), full_page=full_page)

    return shot


class Taps:
    """Counts what the customer does: each tap on a link or a button."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        self.count += 1
        if self.page.device_name.startswith("phone"):
            locator.tap()
        else:
            locator.click()


def log_in(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/commande/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/commande/compte/commandes/")


def header_link_to_my_orders(page):
    return page.locator("header a[href$='/commande/compte/commandes/']").first


def test_sign_up_with_an_email_then_log_in_again(device, live_server, bastille, shots):
    page = device
    page.goto(live_server.url + "/")
    header_link_to_my_orders(page).click()  # not logged in: the login page, which offers to sign up
    page.wait_for_url("**/commande/compte/connexion/**")
    assert_accessible(page)
    page.get_by_role("link", name="Créer un compte").click()
    page.wait_for_url("**/commande/compte/inscription/**")
    assert page.get_by_label("Nom d'utilisateur").count() == 0
    assert_accessible(page)
    shots(page, "1-signup")

    page.get_by_label("Adresse e-mail").fill("Camille.Martin@example.fr")
    page.get_by_label("Mot de passe", exact=True).fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")  # focus on the errors
    assert "trop court" in page.locator(".field--error").inner_text()
    assert page.get_by_label("Adresse e-mail").input_value() == "Camille.Martin@example.fr"  # what was typed is kept
    assert_accessible(page)
    shots(page, "2-signup-error")

    password = page.get_by_label("Mot de passe", exact=True)
    password.fill(PASSWORD)
    page.get_by_role("button", name="Afficher le mot de passe").click()
    assert password.get_attribute("type") == "text"
    page.get_by_role("button", name="Masquer le mot de passe").click()
    assert password.get_attribute("type") == "password"
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/commande/compte/commandes/")
    assert "Bienvenue" in page.locator(".messages").inner_text()
    assert "Aucune commande pour l'instant" in page.locator("main").inner_text()
    assert_accessible(page)
    shots(page, "3-my-orders-empty")

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/")
    log_in(page, live_server, "camille.martin@EXAMPLE.fr")  # the address in another case
    user = get_user_model().objects.get(email__iexact="camille.martin@example.fr")
    assert user.username == "camille.martin@example.fr"


def test_a_wrong_password_says_so_and_keeps_the_address(device, live_server, bastille, shots):
    get_user_model().objects.create_user("camille@example.fr", "camille@example.fr", PASSWORD)
    page = device
    page.goto(live_server.url + "/commande/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill("camille@example.fr")
    page.get_by_label("Mot de passe", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    page.locator("[data-error-summary]").wait_for()
    assert "ne correspondent à aucun compte" in page.locator("[data-error-summary]").inner_text()
    assert page.get_by_label("Adresse e-mail").input_value() == "camille@example.fr"
    assert_accessible(page)
    shots(page, "login-error")


def test_forgot_password_then_log_in_with_the_new_one(device, live_server, bastille, shots):
    from django.core import mail

    get_user_model().objects.create_user("camille@example.fr", "camille@example.fr", PASSWORD)
    page = device
    page.goto(live_server.url + "/commande/compte/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.wait_for_url("**/commande/compte/mot-de-passe/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill("Camille@example.fr")
    page.get_by_role("button", name="M'envoyer le lien").click()
    page.wait_for_url("**/mot-de-passe/envoye/")
    assert_accessible(page)
    shots(page, "7-reset-sent")
    link = re.search(r"/commande/compte/mot-de-passe/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + link)
    page.get_by_label("Nouveau mot de passe").fill("Another-Pizza-2026")
    assert_accessible(page)
    shots(page, "8-reset-new-password")
    page.get_by_role("button", name="Enregistrer mon nouveau mot de passe").click()
    page.wait_for_url("**/commande/compte/commandes/")
    assert "Nouveau mot de passe enregistré" in page.locator(".messages").inner_text()


def past_orders(user, restaurant):
    """Two past orders; the last one: 1 Reine Méga, 2 Margherita, 3 Coca-Cola."""
    details = OrderDetails(
        fulfilment="pickup", name="Camille Martin", phone="0612345678", email=user.email, customer=user
    )
    first = place_order(restaurant, {size_of("diavola").pk: 1}, details)
    Order.objects.filter(pk=first.pk).update(status="collected")
    last = place_order(
        restaurant,
        {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 2, size_of("coca-cola").pk: 3},
        details,
    )
    return first, last


def test_a_returning_customer_orders_the_last_order_again_in_3_taps(device, live_server, bastille, shots):
    user = get_user_model().objects.create_user("camille@example.fr", "camille@example.fr", PASSWORD)
    _first, last = past_orders(user, bastille)
    # Since then: the Reine costs more, the Margherita left the menu, two cans of Coca-Cola are left.
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").update(price_override=Decimal("12.00"))
    MenuItem.objects.filter(restaurant=bastille, product__slug="margherita").delete()
    Stock.objects.filter(restaurant=bastille, ingredient__name="Canette Coca-Cola 33 cl").update(quantity=2)
    page = device
    log_in(page, live_server, "camille@example.fr")  # a returning customer: the session is remembered

    page.goto(live_server.url + "/")
    taps = Taps(page)
    taps.tap(header_link_to_my_orders(page))
    page.wait_for_url("**/commande/compte/commandes/")
    latest = page.locator(".past-order--last")
    assert last.number in latest.inner_text() and "OC Pizza Bastille" in latest.inner_text()
    assert page.locator(".past-orders > li").count() == 1  # the earlier order, below
    assert_accessible(page)
    shots(page, "4-my-orders", full_page=True)

    taps.tap(latest.get_by_role("button", name="Recommander"))
    page.wait_for_url("**/commande/panier/")
    said = page.locator(".messages").inner_text()
    for change in (
        "Ce qui a changé",
        "Margherita Junior 26 cm n'est plus à la carte",
        "Coca-Cola 33 cl : 2 au lieu de 3 : il n'en reste que 2",
        "Reine Méga 40 cm : prix passé de 18,00\u00a0€ à 18,50\u00a0€",
    ):
        assert change in said, said
    shots(page, "5-cart-after-reorder", full_page=True)

    # The cart is the checkout, filled in from the last order (take-away, name, phone, e-mail): the third tap orders.
    main = page.locator("main").inner_text()
    assert "Reine" in main and "Coca-Cola" in main and "Margherita" not in main
    shots(page, "6-checkout")
    taps.tap(page.locator("[data-place-order]"))
    page.wait_for_url(re.compile(r"/commande/suivi/"))
    assert taps.count <= 3, taps.count
    again = Order.objects.order_by("-pk").first()
    assert again.pk != last.pk and again.fulfilment == "pickup" and again.phone == "0612345678"
    assert sorted((line.product_name, line.quantity) for line in again.lines.all()) == [("Coca-Cola", 2), ("Reine", 1)]
    with open(
        os.path.join(
            os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "test-artifacts", "accounts", "taps.txt"
        ),
        "a",
    ) as report:
        report.write(f"{page.device_name}: last order again, home page to a placed order: {taps.count} taps\n")
    print(
        f"\nA returning customer on the {page.device_name}, home page to the last order placed again: {taps.count} taps"
    )


def test_order_again_works_without_javascript(browser, live_server, bastille, shots):
    user = get_user_model().objects.create_user("lea@example.fr", "lea@example.fr", PASSWORD)
    _first, last = past_orders(user, bastille)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.device_name = "phone-nojs"
    try:
        log_in(page, live_server, "LEA@example.fr")
        page.locator(".past-order--last").get_by_role("button", name="Recommander").click()
        page.wait_for_url("**/commande/panier/")
        assert "aux mêmes prix" in page.locator(".messages").inner_text()
        assert re.search(r"Reine", page.locator("main").inner_text())
        shots(page, "cart-after-reorder")
    finally:
        context.close()
    assert last.lines.count() == 3
