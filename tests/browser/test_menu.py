"""The menu made for thumbs (issue 16), at 390×844 and 1280×800: a one-row header, compact
product rows with size chips that carry their price and one "+", sticky category chips,
the "Voir le panier" bar kept up to date without reload, diet and allergen filters (with
and without JavaScript), a closed restaurant that says when to order for, the postcode
search listing who delivers first, accessibility (axe) and the hero's text over its picture."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from home.models import OpeningHours, Product
from ordering.slots import available_slots
from ordering.workflow import Fulfilment
from tests.browser.accessibility import assert_accessible, assert_text_over_images_readable
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


@pytest.fixture(params=["phone", "desktop"])
def screen(request):
    """The test runs on the phone, then on the desktop."""
    page = request.getfixturevalue(request.param)
    page.size_name = request.param
    return page


@pytest.fixture
def shots(artifacts_dir):
    path = os.path.join(artifacts_dir, "menu")
    os.makedirs(path, exist_ok=True)

    def shoot(page, name, full_page=False):
        page.screenshot(path=os.path.join(path, f"{name}-{page.size_name}.png"), full_page=full_page)

    return shoot


def header_height(page):
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def heading_below_the_header(page, selector):
    """The heading scrolled to sits just below the sticky header (or the page cannot scroll further)."""
    page.wait_for_function(
        """([selector, header]) => {
        const top = document.querySelector(selector).getBoundingClientRect().top;
        const atBottom = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight;
        return top >= header && (top <= header + 24 || atBottom);
    }""",
        arg=[selector, header_height(page)],
    )


def visible_products(page):
    return page.eval_on_selector_all(
        ".product-card[data-product]", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.product)"
    )


def gluten_free():
    return set(Product.objects.filter(live=True).exclude(allergens__name="Gluten").values_list("slug", flat=True))


def test_browse_the_menu(screen, live_server, bastille, shots):
    screen.goto(live_server.url + bastille.url)
    shots(screen, "restaurant-top")

    # One row of header, whatever the screen.
    assert header_height(screen) <= 60
    assert screen.locator(".cart-link").is_visible()
    # Compact products: several on one screen of a phone; each price shown once, on its size chip.
    margherita = screen.locator("#margherita")
    assert margherita.bounding_box()["height"] < 260
    chips = margherita.locator(".size-chip")
    assert chips.all_inner_texts() == [
        "Junior 26 cm\n9,50\u00a0€",
        "Sénior 33 cm\n12,50\u00a0€",
        "Méga 40 cm\n16,00\u00a0€",
    ]
    assert margherita.inner_text().count("9,50") == 1
    assert margherita.get_by_role("button").count() == 1  # the one "+"
    assert margherita.get_by_role("radio", name=re.compile("Junior")).is_checked()

    # The category chips stay under the header; a tap brings its section's heading just below them.
    screen.get_by_role("navigation", name="Catégories de la carte").get_by_role("link", name="Boissons").click()
    heading = screen.locator("#cat-boissons-title")
    screen.wait_for_function(
        "() => Math.abs(document.querySelector('#cat-boissons').getBoundingClientRect().top"
        " - document.querySelector('.menu-nav').getBoundingClientRect().bottom) < 40"
    )
    nav = screen.locator(".menu-nav").bounding_box()
    assert nav["y"] == pytest.approx(header_height(screen), abs=1)  # stuck under the header
    assert heading.bounding_box()["y"] >= nav["y"] + nav["height"]  # not covered
    screen.locator(".menu-nav a[aria-current]", has_text="Boissons").wait_for()
    shots(screen, "restaurant-drinks")

    # With the keyboard: arrows choose the size, Tab reaches the "+", Enter adds.
    reine = screen.locator("#reine")
    reine.get_by_role("radio", name=re.compile("Junior")).focus()
    screen.keyboard.press("ArrowRight")
    assert reine.get_by_role("radio", name=re.compile("Sénior")).is_checked()
    assert (
        reine.locator(".size-chip:has(:focus-visible)").evaluate("chip => getComputedStyle(chip).outlineStyle")
        == "solid"
    )
    screen.keyboard.press("Tab")
    assert screen.evaluate("document.activeElement.textContent.trim()") == "Ajouter Reine"
    screen.keyboard.press("Enter")
    screen.locator("[data-cart-bar]").get_by_text("14,50\u00a0€").wait_for()

    assert_accessible(screen)
    hero = assert_text_over_images_readable(screen, ".restaurant-hero")
    print(f"\nRestaurant hero on the {screen.size_name}, contrast of its text over the picture:", hero)
    assert {r["text"] for r in hero} >= {"OC Pizza Bastille", "Notre première pizzeria, four à bois et terrasse."}
    shots(screen, "restaurant-full", full_page=True)


def test_add_two_sizes_and_a_drink_the_bar_follows(screen, live_server, bastille, shots):
    screen.goto(live_server.url + bastille.url)
    bar = screen.locator("[data-cart-bar]")
    assert bar.is_hidden()  # an empty cart: no bar
    screen.evaluate("window.notReloaded = true")
    taps = 0

    margherita = screen.locator("#margherita")
    margherita.get_by_role("button", name="Ajouter Margherita").click()  # Junior, chosen already
    taps += 1
    bar.get_by_text("9,50\u00a0€").wait_for()
    margherita.get_by_label("Sénior 33 cm").check()
    margherita.get_by_role("button", name="Ajouter Margherita").click()
    taps += 2
    bar.get_by_text("22,00\u00a0€").wait_for()
    shots(screen, "added-two-sizes")
    screen.locator("#coca-cola").get_by_role("button", name="Ajouter Coca-Cola").click()
    taps += 1
    bar.get_by_text("24,50\u00a0€").wait_for()

    assert taps == 4
    assert screen.evaluate("window.notReloaded") is True
    assert re.sub(r"[ \n]+", " ", bar.inner_text()) == "3 Voir le panier · 24,50\u00a0€"
    assert screen.locator("[data-cart-count]").inner_text() == "3"
    assert screen.locator("[data-cart-total]").inner_text() == "24,50\u00a0€"  # the header too
    box = bar.locator("a").bounding_box()
    assert box["y"] + box["height"] <= screen.viewport_size["height"]  # on screen, at the bottom
    shots(screen, "cart-bar")
    assert_accessible(screen)

    if screen.size_name == "phone":  # narrower phones: still one row, nothing sticking out
        for width in (375, 360, 320):
            screen.set_viewport_size({"width": width, "height": 740})
            assert header_height(screen) <= 60
            assert screen.evaluate("document.documentElement.scrollWidth") <= width
            assert screen.locator("[data-cart-total]").is_visible()
        shots(screen, "cart-bar-320")
        screen.set_viewport_size({"width": 390, "height": 844})

    bar.get_by_role("link", name=re.compile("Voir le panier")).click()
    screen.wait_for_url("**/commande/panier/")
    assert "24,50\u00a0€" in screen.locator("main").inner_text()

    screen.goto(live_server.url + bastille.url)  # back on the menu: the bar is rendered by the server
    assert bar.is_visible() and "24,50\u00a0€" in bar.inner_text()


def test_filters_apply_as_they_are_ticked(screen, live_server, bastille, shots):
    screen.goto(live_server.url + bastille.url)
    everything = visible_products(screen)
    screen.locator("summary", has_text="Filtres").click()
    screen.get_by_label("Sans gluten").check()
    screen.get_by_role("status").filter(has_text="correspond").wait_for()
    shown = visible_products(screen)
    assert shown and set(shown) <= gluten_free() and set(shown) == gluten_free() & set(everything)
    assert "?sans=gluten" in screen.url
    assert screen.locator("#cat-pizzas").is_hidden()  # every pizza has gluten: the section and its chip go
    assert screen.locator(".menu-nav").get_by_role("link", name="Pizzas").is_hidden()
    shots(screen, "filter-gluten-free")

    screen.get_by_label("Végétarien").check()
    vegetarian_gluten_free = set(visible_products(screen))
    expected = {p.slug for p in Product.objects.filter(live=True, diet_tags__slug="vegetarien")} & gluten_free()
    assert vegetarian_gluten_free == expected & set(everything)
    assert re.search(r"\?(regime=vegetarien&sans=gluten|sans=gluten&regime=vegetarien)", screen.url)
    screen.get_by_role("button", name=re.compile(r"Voir \d+ produit")).click()  # closes the panel
    assert screen.locator(".menu-filters__panel").is_hidden()
    assert_accessible(screen)

    screen.reload()  # the server renders the same menu from the address
    assert set(visible_products(screen)) == vegetarian_gluten_free
    screen.locator("summary", has_text="Filtres").click()
    screen.get_by_role("link", name="Effacer les filtres").first.click()
    assert visible_products(screen) == everything


def test_filters_without_javascript(browser, live_server, bastille, artifacts_dir):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR"
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + bastille.url)
        page.locator("summary", has_text="Filtres").click()  # <details>: no script needed
        page.get_by_label("Sans lait").check()
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url("**/bastille/?sans=lait#menu-title")
        no_milk = set(Product.objects.filter(live=True).exclude(allergens__name="Lait").values_list("slug", flat=True))
        assert set(visible_products(page)) == no_milk & set(bastille.menu_items.values_list("product__slug", flat=True))
        assert "produits correspondent à vos filtres" in page.locator(".menu-result").inner_text()

        # Adding without JavaScript: the shared menu page carries no CSRF token, so the
        # first form posted asks for a confirmation (the form again, with a token)...
        page.locator("#coca-cola").get_by_role("button", name="Ajouter Coca-Cola").click()
        assert "Merci de confirmer" in page.locator("main").inner_text()
        page.get_by_role("button", name="Continuer").click()
        # ...then comes back to the same filtered menu, the bar drawn by the server.
        page.wait_for_url("**/bastille/?sans=lait#coca-cola")
        assert "2,50\u00a0€" in page.locator("[data-cart-bar]").inner_text()
        page.screenshot(path=os.path.join(artifacts_dir, "menu", "no-js-filtered-phone.png"))
        # With a cart (a session), the page is the visitor's own, its forms carry their token.
        page.locator("#eau-minerale").get_by_role("button", name="Ajouter Eau minérale").click()
        page.wait_for_url("**/bastille/?sans=lait#eau-minerale")

        response = page.goto(live_server.url + bastille.url + "?sans=ananas")  # not an allergen we declare
        assert response.status == 400
        assert "ne fait pas partie de notre carte" in page.locator("main").inner_text()
        page.get_by_role("link", name="Voir toute la carte de OC Pizza Bastille").click()
        page.wait_for_url("**/bastille/")
    finally:
        context.close()


def close_until_later(restaurant):
    """Opening hours that make the restaurant closed now and open in two hours, every day."""
    now = timezone.localtime()
    opens = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    closes = opens + timedelta(hours=2)
    restaurant.opening_hours.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(restaurant=restaurant, weekday=weekday, opens=opens.time(), closes=closes.time())


def test_a_closed_restaurant_says_when_to_order_for(screen, live_server, bastille, shots):
    from home.templatetags.ocpizza import moment_label

    close_until_later(bastille)
    pickup = available_slots(bastille, Fulfilment.PICKUP)[0]
    delivery = available_slots(bastille, Fulfilment.DELIVERY)[0]
    screen.goto(live_server.url + bastille.url)

    banner = screen.locator(".order-for")
    with timezone.override("Europe/Paris"):
        assert banner.locator(".order-for__title").inner_text() == f"Fermé — commandez pour {moment_label(pickup)}"
        assert (
            f"À emporter dès {moment_label(pickup)}, en livraison dès {moment_label(delivery)}." in banner.inner_text()
        )
    assert screen.locator(".restaurant-hero .status").inner_text().startswith("Fermé · ouvre")
    badge = [r for r in assert_text_over_images_readable(screen, ".restaurant-hero") if r["text"].startswith("Fermé")]
    assert badge and badge[0]["ratio"] >= 4.5
    assert_accessible(screen)
    shots(screen, "closed")

    # Choosing now, for later, still works.
    screen.locator("#reine").get_by_role("button", name="Ajouter Reine").click()
    screen.locator("[data-cart-bar]").get_by_text("11,50\u00a0€").wait_for()


def test_postcode_search_lists_who_delivers_first(screen, live_server, bastille, shots):
    screen.goto(live_server.url + "/")
    hero = assert_text_over_images_readable(screen, ".hero")
    print(f"\nHome hero on the {screen.size_name}, contrast of its text over the picture:", hero)
    assert_accessible(screen)
    shots(screen, "home")

    screen.get_by_label("Votre code postal").fill("75012")
    screen.get_by_role("button", name="Rechercher").click()
    screen.wait_for_url("**/?postcode=75012#postcode-title")
    heading_below_the_header(screen, "#postcode-title")
    result = screen.locator(".postcode-result")
    assert "Ces restaurants livrent au 75012" in result.inner_text()
    names = result.locator(".restaurant-card__name").all_inner_texts()
    assert names[:2] == ["OC Pizza Bastille", "OC Pizza Nation"]  # delivering, nearest first
    assert sorted(names[2:]) == ["OC Pizza Batignolles", "OC Pizza Montparnasse", "OC Pizza République"]
    assert result.locator(".restaurant-card--delivers").count() == 2
    assert_accessible(screen)
    shots(screen, "postcode-75012")

    screen.get_by_label("Votre code postal").fill("75001")
    screen.get_by_role("button", name="Rechercher").click()
    screen.wait_for_url("**/?postcode=75001#postcode-title")
    assert "le restaurant le plus proche de chez vous" in result.inner_text()
    first = result.locator(".restaurant-card").first
    assert first.locator(".restaurant-card__name").inner_text() == "OC Pizza République"  # 75010, next door
    assert "Le plus proche de chez vous" in first.inner_text()
    shots(screen, "postcode-75001")

    result.get_by_role("link", name="OC Pizza République").click()
    screen.wait_for_url("**/republique/")
