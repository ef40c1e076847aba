import os

import pytest

from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


def test_find_a_restaurant_by_postcode_and_see_its_menu(phone, live_server, demo_committed, artifacts_dir):
    phone.goto(live_server.url + "/")
    assert phone.locator("h1").inner_text() == "Des pizzas généreuses, livrées chaudes"

    phone.get_by_label("Votre code postal").fill("75012")
    phone.get_by_role("button", name="Rechercher").click()
    result = phone.locator(".postcode-result")
    result.wait_for()
    assert "Ces restaurants livrent au 75012" in result.inner_text()
    result.get_by_role("link", name="OC Pizza Bastille").click()

    phone.wait_for_url("**/bastille/")
    assert phone.locator("h1").inner_text() == "OC Pizza Bastille"
    pizzas = phone.locator("#cat-pizzas .product-card")
    assert pizzas.count() >= 12
    margherita = phone.locator(".product-card[data-product='margherita']")
    margherita.scroll_into_view_if_needed()
    assert "9,50\u00a0€" in margherita.locator(".sizes").inner_text()
    photo = margherita.locator("img")
    photo.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())

    phone.screenshot(path=os.path.join(artifacts_dir, "restaurant-menu-phone.png"), full_page=False)


def test_unknown_postcode_offers_take_away(phone, live_server, demo_committed):
    phone.goto(live_server.url + "/")
    phone.get_by_label("Votre code postal").fill("13001")
    phone.get_by_role("button", name="Rechercher").click()
    notice = phone.locator(".postcode-result .notice")
    notice.wait_for()
    assert "Aucun de nos restaurants ne livre encore au 13001" in notice.inner_text()
    assert phone.locator(".postcode-result li").count() == 5
