"""The tracking and change-order pages as a customer uses them, on a phone (390×844) and a
desktop (1280×800), with JavaScript and without: the progress line and what it says in each
state, where to collect a take-away, cancelling with the confirmation in the page, and
changing an order (increase, decrease, add a product, remove a line). axe finds nothing on
any of them; screenshots of each step go to test-artifacts/tracking/."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.money import format_euros
from ordering.models import Order, Stock
from ordering.pricing import price_lines, subtotal_of
from ordering.services import OrderDetails, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.browser.accessibility import assert_accessible
from tests.conftest import committed_db, size_of

pytestmark = [pytest.mark.browser, committed_db]

DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


class Customer:
    """A browser page, and how the customer's taps land: in the page (JavaScript) or as a form post."""

    def __init__(self, page, device, javascript, shots):
        self.page, self.device, self.javascript, self.shots = page, device, javascript, shots

    @property
    def name(self):
        return f"{self.device}-{'js' if self.javascript else 'nojs'}"

    def press(self, locator):
        """A tap on a button that posts the form without JavaScript and changes the page with it."""
        if self.javascript:
            locator.click()
        else:
            with self.page.expect_navigation():
                locator.click()

    def shot(self, step):
        self.page.evaluate("window.scrollTo(0, 0)")  # the sticky header and bar drawn where they belong
        self.page.screenshot(path=os.path.join(self.shots, f"{self.name}-{step}.png"), full_page=True)


def check_accessible(customer):
    """axe over the page as the customer sees it. axe runs on timers, which a page without JavaScript
    never fires: that page's HTML as shown (its scripts taken out) is checked in a page that runs them."""
    if customer.javascript:
        return assert_accessible(customer.page)
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", customer.page.content(), flags=re.S)
    context = customer.page.context.browser.new_context(locale="fr-FR", **DEVICES[customer.device])
    try:
        page = context.new_page()
        url = customer.page.url.split("#")[0]
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        page.goto(url)
        assert_accessible(page)
    finally:
        context.close()


def open_customer(browser, artifacts_dir, device, javascript):
    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript, **DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog was opened: {dialog.message}"))
    shots = os.path.join(artifacts_dir, "tracking")
    os.makedirs(shots, exist_ok=True)
    customer = Customer(page, device, javascript, shots)
    # Script errors and Content-Security-Policy refusals (no inline code, nothing from elsewhere) fail the test.
    customer.problems = []
    page.on("pageerror", lambda error: customer.problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: customer.problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return context, customer


def close(context, customer):
    context.close()
    assert customer.problems == [], "\n".join(customer.problems)


@pytest.fixture(
    params=[("phone", True), ("phone", False), ("desktop", True), ("desktop", False)],
    ids=["phone-js", "phone-nojs", "desktop-js", "desktop-nojs"],
)
def customer(request, browser, artifacts_dir):
    context, customer = open_customer(browser, artifacts_dir, *request.param)
    yield customer
    close(context, customer)


@pytest.fixture(params=["phone", "desktop"])
def follower(request, browser, artifacts_dir):
    """A customer following an order with the page open (the live status needs JavaScript)."""
    context, customer = open_customer(browser, artifacts_dir, request.param, True)
    yield customer
    close(context, customer)


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def details(fulfilment, **extra):
    address = (
        {"street_address": "10 rue de Lappe", "postcode": "75011", "city": "Paris"}
        if fulfilment == Fulfilment.DELIVERY
        else {}
    )
    return OrderDetails(
        fulfilment=fulfilment, name="Camille Martin", phone="0612345678", email="camille@example.fr", **address, **extra
    )


def euros(amount):
    with translation.override("fr"):  # as the pages say it, whatever language an earlier test left active
        return format_euros(amount)


def total_for(restaurant, quantities, fulfilment=Fulfilment.DELIVERY):
    lines = price_lines(restaurant, quantities)
    return subtotal_of(lines) + (restaurant.delivery_fee if fulfilment == Fulfilment.DELIVERY else 0)


def wait_for_status(customer, label):
    customer.page.locator("[data-status-label]", has_text=label).wait_for(timeout=15_000)


def step_states(page):
    return page.eval_on_selector_all(
        "[data-step]",
        "steps => steps.map(s => [s.dataset.step, s.getAttribute('aria-current'), "
        "s.querySelector('[data-step-state]').textContent])",
    )


def record_height(customer, page_name):
    height = customer.page.evaluate("document.documentElement.scrollHeight")
    with open(os.path.join(customer.shots, "page-heights.txt"), "a") as report:
        report.write(f"{page_name} {customer.name}: {height} px\n")
    return height


# --- following an order ------------------------------------------------------------


def test_take_away_tracking_from_placed_to_collected(follower, live_server, bastille):
    slot = timezone.localtime(timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    order = place_order(
        bastille, {size_of("diavola").pk: 1}, details(Fulfilment.PICKUP, requested_for=slot, estimated_ready_at=slot)
    )
    page = follower.page
    page.goto(live_server.url + order.get_tracking_url())

    assert page.locator("[data-status-label]").inner_text() == "Commande passée"
    assert page.locator("[data-headline]").inner_text() == "Le restaurant a bien reçu votre commande."
    assert page.locator("[data-time]").inner_text() == f"Prévue pour {slot:%H:%M}"  # the slot chosen: not an estimate
    assert "estim" not in page.locator(".track").inner_text()
    place = page.locator(".track-place")
    assert "12 rue de la Roquette, 75011 Paris" in place.inner_text()
    assert f"donnez votre numéro de commande {order.number}" in place.inner_text()
    assert place.get_by_role("link", name="Appeler").get_attribute("href") == "tel:0143551234"
    assert (
        place.get_by_role("link", name="Voir le plan")
        .get_attribute("href")
        .startswith("https://www.openstreetmap.org/search?query=12+rue")
    )
    assert step_states(page) == [
        ["placed", "step", "étape en cours"],
        ["in_preparation", None, "étape à venir"],
        ["ready", None, "étape à venir"],
        ["collected", None, "étape à venir"],
    ]
    assert page.get_by_role("link", name="Modifier ma commande").is_visible()
    record_height(follower, "tracking (take-away)")
    assert_accessible(page)
    follower.shot("pickup-1-placed")

    page.evaluate("window.__notReloaded = true")
    transition(order, Status.IN_PREPARATION)
    wait_for_status(follower, "En préparation")
    assert page.locator("[data-headline]").inner_text() == "Votre commande est en préparation."
    assert page.locator("[data-locked]").is_visible() and not page.locator("[data-actions]").is_visible()
    assert step_states(page)[:2] == [["placed", None, "étape terminée"], ["in_preparation", "step", "étape en cours"]]
    assert_accessible(page)
    follower.shot("pickup-2-in-preparation")

    transition(order, Status.READY)
    wait_for_status(follower, "Prête")
    assert page.locator("[data-headline]").inner_text() == "Votre commande est prête : vous pouvez venir la retirer."
    follower.shot("pickup-3-ready")

    transition(order, Status.COLLECTED)
    wait_for_status(follower, "Retirée")
    assert page.locator("[data-headline]").inner_text() == "Vous avez retiré votre commande. Bon appétit !"
    assert not page.locator("[data-time]").is_visible() and not page.locator("[data-pickup-instructions]").is_visible()
    assert not page.locator("[data-locked]").is_visible()
    assert step_states(page)[-1] == ["collected", "step", "étape terminée"]
    assert page.evaluate("window.__notReloaded") is True
    assert_accessible(page)
    follower.shot("pickup-4-collected")


def test_delivery_tracking_from_placed_to_delivered(follower, live_server, bastille):
    eta = timezone.localtime(timezone.now() + timedelta(minutes=45))
    order = place_order(bastille, {size_of("reine").pk: 2}, details(Fulfilment.DELIVERY, estimated_ready_at=eta))
    page = follower.page
    page.goto(live_server.url + order.get_tracking_url())
    assert (
        page.locator("[data-time]").inner_text() == f"Livraison estimée vers {eta:%H:%M}"
    )  # as soon as possible: an estimate
    assert (
        "Livraison à" in page.locator(".track-place").inner_text()
        and "10 rue de Lappe" in page.locator(".track-place").inner_text()
    )
    assert [s[0] for s in step_states(page)] == ["placed", "in_preparation", "ready", "out_for_delivery", "delivered"]
    record_height(follower, "tracking (delivery)")
    assert_accessible(page)
    follower.shot("delivery-1-placed")

    for status in (Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY):
        transition(order, status)
    wait_for_status(follower, "En livraison")
    assert page.locator("[data-headline]").inner_text() == "Votre commande est en route."
    follower.shot("delivery-2-on-its-way")

    transition(order, Status.DELIVERED)
    wait_for_status(follower, "Livrée")
    assert page.locator("[data-headline]").inner_text() == "Votre commande a été livrée. Bon appétit !"
    assert not page.locator("[data-time]").is_visible()
    assert_accessible(page)
    follower.shot("delivery-3-delivered")


def test_an_order_waiting_for_its_payment_and_a_cancelled_one(follower, live_server, bastille):
    waiting = place_order(
        bastille, {size_of("reine").pk: 2}, details(Fulfilment.DELIVERY, payment_method=Order.PaymentMethod.PAYPAL)
    )
    page = follower.page
    page.goto(live_server.url + waiting.get_tracking_url())
    assert page.locator("[data-headline]").inner_text() == "Votre commande attend son paiement."
    assert page.get_by_role("button", name="Payer avec PayPal").is_visible()
    assert_accessible(page)
    follower.shot("awaiting-payment")

    cancelled = place_order(bastille, {size_of("reine").pk: 1}, details(Fulfilment.PICKUP))
    transition(cancelled, Status.CANCELLED)
    page.goto(live_server.url + cancelled.get_tracking_url())
    assert page.locator("[data-headline]").inner_text() == "Cette commande est annulée."
    assert not page.locator("[data-timeline]").is_visible() and not page.locator("[data-actions]").is_visible()
    assert "Rien à payer." in page.locator("[data-payment]").inner_text()
    assert_accessible(page)
    follower.shot("cancelled")


# --- cancelling ------------------------------------------------------------------


def test_cancel_asks_in_the_page_then_cancels(customer, live_server, bastille):
    initial = levels(bastille)
    order = place_order(bastille, {size_of("diavola").pk: 1}, details(Fulfilment.PICKUP))
    page = customer.page
    page.goto(live_server.url + order.get_tracking_url())
    confirm = page.get_by_role("button", name="Oui, annuler la commande")
    assert not confirm.is_visible()

    page.locator("[data-cancel] summary").click()  # "Annuler ma commande": opens the confirmation, cancels nothing
    assert confirm.is_visible()
    assert f"Annuler la commande {order.number} ?" in page.locator("[data-cancel]").inner_text()
    assert "Vous ne payez rien. C'est définitif." in page.locator("[data-cancel]").inner_text()
    assert Order.objects.get().status == Status.PLACED
    check_accessible(customer)
    customer.shot("cancel-1-confirm")
    if customer.javascript:
        page.get_by_role("button", name="Non, la garder").click()
        assert not confirm.is_visible()
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.locator("[data-cancel] summary").click()

    with page.expect_navigation():
        confirm.click()
    page.locator("[data-status-label]", has_text="Annulée").wait_for()
    assert f"Votre commande {order.number} est annulée." in page.locator(".messages").inner_text()
    assert Order.objects.get().status == Status.CANCELLED and levels(bastille) == initial
    check_accessible(customer)
    customer.shot("cancel-2-cancelled")


# --- changing an order -------------------------------------------------------------


def line(page, name):
    return page.locator("[data-line]", has_text=name)


def open_menu(page, category, product=None):
    """Opens a category of the picker (and a product's sizes) unless the page shows it open."""
    section = page.locator("[data-picker-category]", has=page.locator("summary", has_text=category))
    if section.get_attribute("open") is None:
        section.locator("summary").first.click()
    if product:
        details = section.locator(".picker-product details", has=page.locator("summary", has_text=product))
        if details.get_attribute("open") is None:
            details.locator("summary").click()


def test_change_an_order_increase_decrease_add_and_remove(customer, live_server, bastille):
    reine, margherita = size_of("reine", "Sénior 33 cm"), size_of("margherita")
    diavola, coca = size_of("diavola"), size_of("coca-cola")
    order = place_order(bastille, {reine.pk: 1, margherita.pk: 1}, details(Fulfilment.DELIVERY))
    page = customer.page
    page.goto(live_server.url + order.get_tracking_url())
    page.get_by_role("link", name="Modifier ma commande").click()
    page.wait_for_url("**/modifier/")
    assert page.locator("[data-line]").count() == 2  # the order's lines, not the whole menu
    assert page.locator("[data-total]").inner_text() == euros(order.total)
    record_height(customer, "change order")
    check_accessible(customer)
    customer.shot("change-1-opened")
    if customer.javascript:
        page.evaluate("window.__notReloaded = true")

    def total_is(quantities):
        expected = euros(total_for(bastille, quantities))
        page.locator("[data-total]", has_text=expected).wait_for()

    customer.press(line(page, "Reine").get_by_role("button", name="Un de plus"))
    customer.press(line(page, "Reine").get_by_role("button", name="Un de plus"))
    total_is({reine.pk: 3, margherita.pk: 1})
    customer.press(line(page, "Reine").get_by_role("button", name="Un de moins"))
    total_is({reine.pk: 2, margherita.pk: 1})
    assert line(page, "Reine").get_by_label("Quantité").input_value() == "2"
    customer.shot("change-2-steppers")

    open_menu(page, "Pizzas", "Diavola")
    customer.press(page.get_by_role("button", name="Ajouter Diavola Junior 26 cm"))
    total_is({reine.pk: 2, margherita.pk: 1, diavola.pk: 1})
    open_menu(page, "Boissons")
    customer.press(page.get_by_role("button", name="Ajouter Coca-Cola"))
    total_is({reine.pk: 2, margherita.pk: 1, diavola.pk: 1, coca.pk: 1})
    page.locator("[data-announce]", has_text="Ajouté à la commande : Coca-Cola 33 cl.").wait_for()
    check_accessible(customer)
    customer.shot("change-3-added")

    customer.press(line(page, "Margherita").get_by_role("button", name="Retirer"))
    final = {reine.pk: 2, diavola.pk: 1, coca.pk: 1}
    total_is(final)
    assert [page.locator("[data-line]").nth(i).get_attribute("data-line") for i in range(3)] == [
        str(reine.pk),
        str(diavola.pk),
        str(coca.pk),
    ]
    if customer.javascript:
        assert page.evaluate("window.__notReloaded") is True  # every change made in the page
    assert Order.objects.get().total == order.total  # nothing saved yet
    customer.shot("change-4-removed")

    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les modifications").click()
    page.wait_for_url(re.compile(r"/suivi/[\w-]+/$"))
    order.refresh_from_db()
    assert {line.size_id: line.quantity for line in order.lines.all()} == final
    assert order.total == total_for(bastille, final)
    assert f"Nouveau total : {euros(order.total)}" in page.locator(".messages").inner_text()
    assert euros(order.total) in page.locator("[data-total]").inner_text()
    customer.shot("change-5-saved")


def test_a_change_the_server_refuses_says_why_and_keeps_the_draft(customer, live_server, bastille):
    reine = size_of("reine")
    order = place_order(bastille, {reine.pk: 2}, details(Fulfilment.DELIVERY))
    page = customer.page
    page.goto(live_server.url + order.get_tracking_url().rstrip("/") + "/modifier/")
    customer.press(line(page, "Reine").get_by_role("button", name="Un de moins"))  # 11,50 €: under the delivery minimum
    page.locator("[data-minimum-note]", has_text="Il manque : 3,50").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les modifications").click()
    alert = page.get_by_role("alert")
    assert "ajoutez 3,50" in alert.inner_text()
    assert line(page, "Reine").get_by_label("Quantité").input_value() == "1"  # the draft is kept
    assert Order.objects.get().total == order.total
    check_accessible(customer)
    customer.shot("change-refused")


def test_the_menu_can_be_searched(follower, live_server, bastille):
    order = place_order(bastille, {size_of("reine").pk: 2}, details(Fulfilment.DELIVERY))
    page = follower.page
    page.goto(live_server.url + order.get_tracking_url() + "modifier/")
    page.get_by_label("Chercher (nom, ingrédient)").fill("chevre MIEL")  # no accent or case needed
    visible = page.locator("[data-picker-product]:visible")
    assert visible.count() == 1 and "Chèvre miel" in visible.inner_text()
    page.get_by_label("Chercher (nom, ingrédient)").fill("zzz")
    assert page.get_by_text("Aucun produit ne correspond à votre recherche.").is_visible()
    page.get_by_label("Chercher (nom, ingrédient)").fill("")
    assert page.locator("[data-picker-category]:visible").count() == 3
    assert_accessible(page)
