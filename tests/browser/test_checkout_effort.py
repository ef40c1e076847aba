"""The order journey measured: from the home page to a placed order of two pizzas of
different sizes and a drink, delivered as soon as possible, paid on delivery, by a new
customer — counted in actions (a tap, or one field typed), and made with the keyboard alone
with a visible focus at every stop. The menu part drives the restaurant page as a customer would."""

import json
import os
import re

import pytest

from ordering.models import Order
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]

MOST_ACTIONS = 12  # issue 16: at most 12 for this journey (14 before it)


class Actions:
    """Each customer action goes through here and is counted; the screen is captured before each
    (test-artifacts/checkout/effort/: what the customer sees when making that action)."""

    def __init__(self, page, shots):
        self.page, self.log, self.shots = page, [], shots

    def shoot(self, what):
        name = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")[:40]
        self.page.screenshot(path=os.path.join(self.shots, f"{len(self.log) + 1:02d}-{name}.png"))

    def tap(self, locator, what):
        locator.scroll_into_view_if_needed()
        self.shoot(what)
        locator.click()
        self.log.append(f"tap: {what}")

    def type(self, locator, text):
        locator.scroll_into_view_if_needed()
        self.shoot(text)
        locator.fill(text)
        self.log.append(f"type: {text}")


def wait_for_count(page, count):
    page.locator("[data-cart-count]").filter(has_text=re.compile(rf"^{count}$")).first.wait_for()


def test_a_new_customer_orders_in_at_most_12_actions(phone, live_server, bastille, artifacts_dir):
    shots = os.path.join(artifacts_dir, "checkout", "effort")
    os.makedirs(shots, exist_ok=True)
    act = Actions(phone, shots)
    phone.goto(live_server.url + "/")
    act.tap(phone.get_by_role("link", name="OC Pizza Bastille").first, "the restaurant")
    reine = phone.locator("#reine")
    act.tap(reine.get_by_label("Sénior 33 cm"), "Reine, size Sénior")
    act.tap(reine.get_by_role("button", name="Ajouter"), "add the Reine")
    wait_for_count(phone, 1)
    act.tap(phone.locator("#margherita").get_by_role("button", name="Ajouter"), "add a Margherita (Junior)")
    wait_for_count(phone, 2)
    act.tap(phone.locator("#coca-cola").get_by_role("button", name="Ajouter"), "add a Coca-Cola")
    wait_for_count(phone, 3)
    act.tap(phone.get_by_role("link", name=re.compile("Panier")).first, "the cart, which is the checkout")
    # Delivery, as soon as possible and paying on delivery are what the page starts with; the city is the restaurant's.
    act.type(phone.get_by_label("Adresse", exact=True), "10 rue de Lappe")
    act.type(phone.get_by_label("Code postal"), "75011")
    act.type(phone.get_by_label("Nom"), "Camille Martin")
    act.type(phone.get_by_label("Téléphone"), "06 12 34 56 78")
    act.type(phone.get_by_label("E-mail"), "camille@example.fr")
    act.tap(phone.get_by_role("button", name=re.compile(r"^Commander · 29,00\s€ à payer à la livraison$")), "order")
    phone.wait_for_url(re.compile(r"/commande/suivi/"))
    phone.screenshot(path=os.path.join(shots, f"{len(act.log) + 1:02d}-placed.png"))

    order = Order.objects.get()
    assert (order.fulfilment, order.payment_method, order.requested_for) == ("delivery", "on_site", None)
    assert sorted((line.product_name, line.size_label) for line in order.lines.all()) == [
        ("Coca-Cola", "33 cl"),
        ("Margherita", "Junior 26 cm"),
        ("Reine", "Sénior 33 cm"),
    ]
    folder = os.path.join(artifacts_dir, "checkout")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "effort.json"), "w") as report:
        json.dump({"actions": len(act.log), "steps": act.log}, report, ensure_ascii=False, indent=1)
    print(f"\nA new customer, home page to a placed order: {len(act.log)} actions (at most {MOST_ACTIONS})")
    print("\n".join(f"  {n}. {step}" for n, step in enumerate(act.log, start=1)))
    assert len(act.log) <= MOST_ACTIONS, act.log


# --- the keyboard alone -------------------------------------------------------------

FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "nothing has the focus";
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
    // The ring may be drawn by the element, its ::before/::after (a card-wide link), its label (a chip)
    // or a near container styled with :has(:focus-visible).
    const drawn = [el, el.closest("label"), label, el.parentElement, el.parentElement && el.parentElement.parentElement].filter(Boolean);
    // An outline of 2 px or more (cards have shadows anyway: a shadow is no focus ring here).
    const ringed = (style) => style && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = drawn.find(node => [null, "::before", "::after"].some(pseudo => ringed(getComputedStyle(node, pseudo))));
    if (!ring) return "no focus indicator on " + el.outerHTML.slice(0, 160);
    const box = ring.getBoundingClientRect();
    if (box.bottom <= 0 || box.top >= innerHeight) return "focus off screen on " + el.outerHTML.slice(0, 160);
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    if (hit && !drawn.some(node => node.contains(hit) || hit.contains(node))) return "focus hidden under " + hit.outerHTML.slice(0, 120);
    return "";
}"""


class Keyboard:
    """Moves with Tab / Shift+Tab only, checking at every stop that the focus is visible."""

    def __init__(self, page):
        self.page, self.stops = page, 0

    def tab_to(self, selector, backwards=False, limit=250):
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.stops += 1
            problem = self.page.evaluate(FOCUS_SHOWN)
            assert not problem, f"{problem} (at {self.page.url})"
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} never got the focus")

    def follow(self):
        """Enter on a link or a submit button: a new page, whose focus starts at its top."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def press(self, key):
        self.page.keyboard.press(key)
        problem = self.page.evaluate(FOCUS_SHOWN)
        assert not problem, f"{problem} (after {key}, at {self.page.url})"


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_whole_order_with_the_keyboard_alone(device, request, live_server, bastille, artifacts_dir):
    page = request.getfixturevalue(device)
    keys = Keyboard(page)
    page.goto(live_server.url + "/")
    keys.tab_to(".restaurant-card a[href$='/bastille/']")
    keys.follow()
    assert page.url.endswith("/bastille/")

    keys.tab_to("#reine input[name=size]")  # the size choices are one stop; arrows choose
    keys.press("ArrowRight")
    assert page.locator("#reine").get_by_label("Sénior 33 cm").is_checked()
    keys.tab_to("#reine button[type=submit]")
    keys.press("Enter")
    wait_for_count(page, 1)
    keys.tab_to("#calzone button[type=submit]")
    keys.press("Enter")
    wait_for_count(page, 2)
    keys.tab_to("#coca-cola button[type=submit]")
    keys.press("Enter")
    wait_for_count(page, 3)
    keys.tab_to("a.cart-link", backwards=True)
    keys.follow()
    assert page.url.endswith("/commande/panier/")

    keys.tab_to("[data-line] [data-step]:not([disabled]):not(.stepper__button--remove)")  # one more Reine
    keys.press("Enter")
    page.locator("[data-line] [data-quantity]").first.filter(has_text="2").wait_for()
    assert page.evaluate("document.activeElement.matches('[data-step]')")  # the focus stayed on the stepper
    keys.tab_to("#id_street_address")
    page.keyboard.type("10 rue de Lappe")
    keys.tab_to("#id_postcode")
    page.keyboard.type("75011")
    keys.tab_to("#id_name")
    page.keyboard.type("Camille Martin")
    keys.tab_to("#id_phone")
    page.keyboard.type("06 12 34 56 78")
    keys.tab_to("#id_email")
    page.keyboard.type("camille@example.fr")
    keys.tab_to("[data-place-order]")
    os.makedirs(os.path.join(artifacts_dir, "checkout"), exist_ok=True)
    page.screenshot(path=os.path.join(artifacts_dir, "checkout", f"keyboard-pay-button-{device}.png"))
    keys.follow()
    page.wait_for_url(re.compile(r"/commande/suivi/"))
    order = Order.objects.get()
    assert order.lines.count() == 3 and order.fulfilment == "delivery" and order.postcode == "75011"
    assert sum(line.quantity for line in order.lines.all()) == 4
